"""What a trend is asked for, and the form that reads it from a query string.

The trend endpoints share the proposal list's parameters for topics, body, delegate,
company and the year range: their fields, messages and rules come from the list's
parameter table (proposals.params), so a value means the same, and fails the same
way, on a chart as in the list. `measure` (and the explorer's `chart`) are the
trends' own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext, gettext_lazy

from core.errors import FIELD_NAME_LENGTH, FieldError, form_errors
from proposals.params import PARAMS, form_for, url_value

MAX_TOPICS = 12
# The list's parameters a trend takes, in the order a trend's query string lists them.
TREND_PARAMS = tuple(p for p in PARAMS if p.in_trends)
# Of those, the ones that set a trend's scope (the list filters a chart's points keep).
SCOPE_NAMES = ("body", "delegate", "company")


@dataclass(frozen=True)
class TrendParams:
    """What a trend is asked for; empty values mean no filter, no `topics` the top 8
    top-level topics in the range."""

    topics: tuple[str, ...] = ()
    measure: str = "count"
    body: str = ""
    company: str = ""
    delegate: str = ""
    year_min: int | None = None
    year_max: int | None = None

    def query(self) -> str:
        """The query string that asks the trend endpoints for this trend again."""
        pairs: list[tuple[str, Any]] = [("topic", slug) for slug in self.topics]
        if self.measure != "count":
            pairs.append(("measure", self.measure))
        for name in ("body", "company", "delegate", "year_min", "year_max"):
            value = getattr(self, name)
            if value not in ("", None):
                pairs.append((name, value))
        return urlencode(pairs)

    def list_query(self) -> str:
        """Proposal-list filters for this trend's scope; a point adds topic and year."""
        return urlencode([(n, getattr(self, n)) for n in SCOPE_NAMES if getattr(self, n)])

    @property
    def filtered_by_person(self) -> bool:
        return bool(self.delegate or self.company)


# Delegates and companies are not looked up by the form: the counting query finds
# them in the same statement (stats.counting.UnknownFilter).
_SharedForm = form_for(TREND_PARAMS, resolve=False)


class TrendForm(_SharedForm):
    """The trend endpoints' parameters. Unknown parameters are errors too (see
    `errors`): a data client that misspells one should hear of it."""

    measure = forms.ChoiceField(
        choices=[
            ("count", gettext_lazy("Number of proposals")),
            ("share", gettext_lazy("Share of the year's proposals")),
        ],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Use count or share.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None and len(getlist("measure")) > 1:
            self.add_error("measure", gettext("Give this parameter once."))
        # The list takes several delegates or companies; a trend counts one of each.
        for name in ("delegate", "company"):
            if len(cleaned.get(name) or []) > 1:
                self.add_error(name, gettext("Give this parameter once."))
        topics = cleaned.get("topic") or []
        if len(topics) > MAX_TOPICS:
            self.add_error(
                "topic",
                gettext("Choose at most %(max)s topics (got %(n)s).")
                % {"max": MAX_TOPICS, "n": len(topics)},
            )
        return cleaned

    def unknown_names(self) -> list[str]:
        return sorted(set(self.data) - self.fields.keys())

    def errors_list(self) -> list[FieldError]:
        """Every problem with the request; empty when it is valid."""
        self.is_valid()
        problems = form_errors(self)
        for name in self.unknown_names():
            problems.append(FieldError(name[:FIELD_NAME_LENGTH], gettext("Unknown parameter.")))
        return problems

    def params(self) -> TrendParams:
        data = self.cleaned_data
        return TrendParams(
            topics=tuple(url_value(t) for t in data["topic"]),
            measure=data["measure"] or "count",
            body=data["body"],
            company=next(iter(data["company"]), ""),
            delegate=next(iter(data["delegate"]), ""),
            year_min=data["year_min"],
            year_max=data["year_max"],
        )


class ExplorerForm(TrendForm):
    """The explorer page's parameters: the trend's, and how to draw it."""

    chart = forms.ChoiceField(
        choices=[("line", gettext_lazy("Lines")), ("area", gettext_lazy("Stacked areas"))],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Use line or area.")},
    )

    def unknown_names(self) -> list[str]:
        return []  # a shared page link may carry anything (utm_source...): ignore it


def trend_form(data: Any, *, explorer: bool = False) -> TrendForm:
    """A bound form over `data`; topics are checked against the cached tree."""
    return (ExplorerForm if explorer else TrendForm)(data)


class EchoForm(forms.Form):
    """The echo endpoints' parameters (/trends/echo.json and .csv): at most one of topic,
    delegate, company and session; none asks for every session's figures. Unknown
    parameters are errors, as on the other trend endpoints."""

    topic = forms.SlugField(required=False, max_length=100)
    delegate = forms.SlugField(required=False, max_length=200)
    company = forms.SlugField(required=False, max_length=200)
    session = forms.IntegerField(
        required=False,
        min_value=1949,
        max_value=2100,
        error_messages={"invalid": gettext_lazy("Give a year, like 2024.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        for name in self.fields:
            if getlist is not None and len(getlist(name)) > 1:
                self.add_error(name, gettext("Give this parameter once."))
        given = [name for name in self.fields if cleaned.get(name) not in ("", None)]
        if len(given) > 1:
            self.add_error(
                given[1], gettext("Give one of topic, delegate, company and session, not two.")
            )
        return cleaned

    def errors_list(self) -> list[FieldError]:
        self.is_valid()
        problems = form_errors(self)
        for name in sorted(set(self.data) - self.fields.keys()):
            problems.append(FieldError(name[:FIELD_NAME_LENGTH], gettext("Unknown parameter.")))
        return problems

    def scope(self) -> tuple[str, Any]:
        """("topic", "ai"), ("session", 2024)... or ("", None) for every session."""
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value not in ("", None):
                return name, value
        return "", None
