"""The proposal list's filters: one FilterSet shared by the list, the exports and the
feeds, so every view of the data accepts the same query string."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet

from delegates.models import Body, Company, Delegate
from topics.selectors import topics_by_slug

from .models import Proposal, ProposalQuerySet, Status

YEAR_FLOOR, YEAR_CEILING = 1949, 2100
MAX_QUERY_LENGTH = 200


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"
    DELEGATE = "delegate"
    CHOICES = [
        (NEWEST, "Newest first"),
        (OLDEST, "Oldest first"),
        (RELEVANCE, "Best match (with a search)"),
        (DELEGATE, "Delegate name"),
    ]


# Parameters that take exactly one value: a repeated key is an error, not a guess.
SINGLE_VALUED = ("year_min", "year_max", "body", "delegate", "company", "status", "q", "sort")


class ProposalFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in SINGLE_VALUED:
            if len(self.data.getlist(name)) > 1:
                self.add_error(name, "Give this parameter once.")
        low, high = cleaned.get("year_min"), cleaned.get("year_max")
        if low is not None and high is not None and low > high:
            self.add_error("year_max", f"The last year ({high}) is before the first ({low}).")
        return cleaned


class YearsField(forms.Field):
    """Repeated `year` keys, each a whole year in range."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        years = []
        for raw in value if isinstance(value, list | tuple) else [value]:
            try:
                year = int(str(raw).strip())
            except ValueError:
                raise forms.ValidationError(f"“{str(raw)[:20]}” is not a year.") from None
            if not YEAR_FLOOR <= year <= YEAR_CEILING:
                raise forms.ValidationError(f"{year} is outside {YEAR_FLOOR}–{YEAR_CEILING}.")
            years.append(year)
        return sorted(set(years))


class YearsFilter(django_filters.Filter):
    field_class = YearsField


class TopicsField(forms.Field):
    """Repeated `topic` slugs, checked against the cached topic tree (no query)."""

    widget = forms.MultipleHiddenInput
    default_validators = [ProhibitNullCharactersValidator()]

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if not value:
            return []
        known = topics_by_slug()
        chosen = []
        for raw in value if isinstance(value, list | tuple) else [value]:
            slug = str(raw).strip()
            if "\x00" in slug:
                raise forms.ValidationError("Null characters are not allowed.")
            if slug not in known:
                raise forms.ValidationError(
                    f"“{slug[:40]}” is not a topic. Topics are listed at /topics/."
                )
            if known[slug] not in chosen:
                chosen.append(known[slug])
        return chosen

    def validate(self, value: list[dict[str, Any]]) -> None:
        super().validate(value)

    def run_validators(self, value: Any) -> None:
        return None  # each slug was checked in to_python


class TopicsFilter(django_filters.Filter):
    field_class = TopicsField


class ProposalFilter(django_filters.FilterSet):
    year = YearsFilter(method="filter_years", label="Year")
    year_min = django_filters.NumberFilter(
        field_name="session_id",
        lookup_expr="gte",
        label="From year",
        min_value=YEAR_FLOOR,
        max_value=YEAR_CEILING,
    )
    year_max = django_filters.NumberFilter(
        field_name="session_id",
        lookup_expr="lte",
        label="To year",
        min_value=YEAR_FLOOR,
        max_value=YEAR_CEILING,
    )
    body = django_filters.ChoiceFilter(choices=Body.choices, label="Body")
    topic = TopicsFilter(method="filter_topics", label="Topic")
    delegate = django_filters.ModelChoiceFilter(
        queryset=Delegate.objects.visible(),
        to_field_name="slug",
        method="filter_delegate",
        label="Delegate",
    )
    company = django_filters.ModelChoiceFilter(
        queryset=Company.objects.visible(),
        to_field_name="slug",
        method="filter_company",
        label="Company",
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label="Status")
    q = django_filters.CharFilter(
        method="filter_search", label="Search", max_length=MAX_QUERY_LENGTH, strip=True
    )
    sort = django_filters.ChoiceFilter(
        choices=Sort.CHOICES, method="filter_noop", label="Sort by", empty_label=None
    )

    class Meta:
        model = Proposal
        fields: list[str] = []
        form = ProposalFilterForm

    # Facets are counted over the results of every filter but their own; these are
    # the filter names each facet ignores.
    FACET_GROUPS: dict[str, tuple[str, ...]] = {
        "year_body_status": ("year", "body", "status"),
        "topic": ("topic",),
        "delegate": ("delegate",),
        "company": ("company",),
    }

    def filter_years(self, queryset: ProposalQuerySet, name: str, value: list[int]) -> QuerySet:
        return queryset.in_years(value) if value else queryset

    def filter_topics(self, queryset: ProposalQuerySet, name: str, value: list[dict]) -> QuerySet:
        if not value:
            return queryset
        return queryset.in_topics(sorted({i for topic in value for i in topic["ids"]}))

    def filter_delegate(self, queryset: ProposalQuerySet, name: str, value: Delegate) -> QuerySet:
        return queryset.by_delegate(value) if value else queryset

    def filter_company(self, queryset: ProposalQuerySet, name: str, value: Company) -> QuerySet:
        return queryset.at_company(value) if value else queryset

    def filter_search(self, queryset: ProposalQuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value) if value else queryset

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # sorting is applied by `sorted_qs`, after every filter

    @property
    def sort_order(self) -> str:
        # A search lists the best matches first unless another order is asked for.
        chosen = self.form.cleaned_data.get("sort") or (
            Sort.RELEVANCE if self.form.cleaned_data.get("q") else Sort.NEWEST
        )
        if chosen == Sort.RELEVANCE and not self.form.cleaned_data.get("q"):
            return Sort.NEWEST
        return chosen

    def sorted_qs(self) -> ProposalQuerySet:
        qs: ProposalQuerySet = self.qs
        return {
            Sort.NEWEST: qs.newest_first,
            Sort.OLDEST: qs.oldest_first,
            Sort.RELEVANCE: qs.by_relevance,
            Sort.DELEGATE: qs.by_delegate_name,
        }[self.sort_order]()

    def qs_without(self, *names: str) -> ProposalQuerySet:
        """The queryset with every valid filter applied except `names`."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name in names or name == "sort":
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def selected(self) -> dict[str, Any]:
        """The active filters, for chips with a remove link and for headings."""
        data = self.form.cleaned_data
        return {name: value for name, value in data.items() if value not in (None, "", [])}

    def chips(self) -> list[dict[str, Any]]:
        """One removable chip per active filter value, labelled as people read it."""
        data = self.form.cleaned_data
        chips = []
        for year in data.get("year") or []:
            chips.append({"key": "year", "value": year, "label": f"Year {year}", "multi": True})
        for topic in data.get("topic") or []:
            chips.append(
                {"key": "topic", "value": topic["slug"], "label": topic["name"], "multi": True}
            )
        if data.get("year_min") is not None:
            chips.append(
                {"key": "year_min", "value": data["year_min"], "label": f"From {data['year_min']}"}
            )
        if data.get("year_max") is not None:
            chips.append(
                {"key": "year_max", "value": data["year_max"], "label": f"To {data['year_max']}"}
            )
        if data.get("body"):
            chips.append({"key": "body", "value": data["body"], "label": Body(data["body"]).label})
        for key in ("delegate", "company"):
            if data.get(key):
                chips.append({"key": key, "value": data[key].slug, "label": data[key].name})
        if data.get("status"):
            chips.append(
                {"key": "status", "value": data["status"], "label": Status(data["status"]).label}
            )
        if data.get("q"):
            chips.append({"key": "q", "value": data["q"], "label": f"“{data['q']}”"})
        return chips

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(parameter, message) pairs for a 400 page that names the field at fault."""
        return [
            (field, message) for field, messages in self.form.errors.items() for message in messages
        ]
