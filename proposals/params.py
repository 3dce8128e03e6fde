"""The proposal list's parameters: one declarative table.

Every view of the proposals (the list, its facets, exports, feeds, the trend endpoints,
the admin's count shortcut) reads the query string through this table. Each `Param`
says how its value is parsed and validated, which `ProposalQuerySet` method applies
it, which facet shows it, whether the small `TrendCount` table can count under it, and
how its chip reads. `ProposalFilter` (filters.py), the facet cache key and the
TrendCount eligibility (facets.py), the trend form (stats.trends) and the admin's
count shortcut are all derived from `PARAMS`, so a new filter is one entry here plus
one QuerySet method, and nothing can forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator, validate_slug
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from core.languages import localized_text
from delegates.models import Body, Company, Delegate
from topics.tree import TopicNode, topic_tree

from .models import Status

YEAR_FLOOR, YEAR_CEILING = 1949, 2100
MAX_QUERY_LENGTH = 200
SLUG_LENGTH = 200


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"
    DELEGATE = "delegate"
    CHOICES = [
        (NEWEST, gettext_lazy("Newest first")),
        (OLDEST, gettext_lazy("Oldest first")),
        (RELEVANCE, gettext_lazy("Best match (with a search)")),
        (DELEGATE, gettext_lazy("Delegate name")),
    ]


# --- Fields: parsing and validation -----------------------------------------------------


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


class YearsField(forms.Field):
    """Repeated `year` keys, each a whole year in range; sorted, repeats dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        years = []
        for raw in _values(value):
            try:
                year = int(str(raw).strip())
            except ValueError:
                raise forms.ValidationError(
                    gettext("“%(value)s” is not a year.") % {"value": str(raw)[:20]}
                ) from None
            if not YEAR_FLOOR <= year <= YEAR_CEILING:
                raise forms.ValidationError(
                    gettext("%(year)s is outside %(floor)s–%(ceiling)s.")
                    % {"year": year, "floor": YEAR_FLOOR, "ceiling": YEAR_CEILING}
                )
            years.append(year)
        return sorted(set(years))


class TopicsField(forms.Field):
    """Repeated `topic` slugs, checked against the cached topic tree (no query). The
    reader's order is kept (a chart's series follow it); repeats are dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[TopicNode]:
        if not value:
            return []
        known = topic_tree().by_slug
        chosen: list[TopicNode] = []
        for raw in _values(value):
            slug = str(raw).strip()
            if "\x00" in slug:
                raise forms.ValidationError(gettext("Null characters are not allowed."))
            if slug not in known:
                raise forms.ValidationError(
                    gettext("“%(slug)s” is not a topic. Topics are listed at /topics/.")
                    % {"slug": slug[:40]}
                )
            if known[slug] not in chosen:
                chosen.append(known[slug])
        return chosen

    def run_validators(self, value: Any) -> None:
        return None  # each slug was checked in to_python


MAX_RECORDS = 20  # delegates or companies in one filter


def _check_slug(value: str) -> None:
    try:
        validate_slug(value)
    except forms.ValidationError:
        raise forms.ValidationError(
            gettext("“%(value)s” is not a slug such as lei-jun.") % {"value": value[:40]}
        ) from None


class RecordsField(forms.Field):
    """Repeated delegate or company slugs (OR within the parameter), in the reader's
    order, repeats dropped. Their syntax is checked here; whether each names a visible
    record is found by `Param.resolve` (one query for all), so endpoints that look
    records up in their own query need not ask twice."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        slugs: list[str] = []
        for raw in _values(value):
            slug = str(raw).strip()
            if not slug:
                continue
            if len(slug) > SLUG_LENGTH:
                raise forms.ValidationError(
                    gettext("Ensure this value has at most %(max)s characters.")
                    % {"max": SLUG_LENGTH}
                )
            _check_slug(slug)
            if slug not in slugs:
                slugs.append(slug)
        if len(slugs) > MAX_RECORDS:
            raise forms.ValidationError(
                gettext("Choose at most %(max)s (got %(n)s).")
                % {"max": MAX_RECORDS, "n": len(slugs)}
            )
        return slugs

    def run_validators(self, value: Any) -> None:
        return None  # each slug was checked in to_python


UNKNOWN_RECORD = {
    "delegate": gettext_lazy("No delegate is called “%(slug)s”; they are listed at /delegates/."),
    "company": gettext_lazy("No company is called “%(slug)s”; they are listed at /companies/."),
}


def unknown_record(name: str, slug: str) -> str:
    """The message for a delegate or company slug that names no visible record."""
    return str(UNKNOWN_RECORD[name]) % {"slug": slug[:40]}


def resolve_records(model: type[Model], name: str, slugs: Iterable[str]) -> list[Model]:
    """The visible records named by `slugs`, in their order, found in one query;
    ValidationError naming the first slug that names none."""
    slugs = list(slugs)
    found = {r.slug: r for r in model.objects.visible().filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise forms.ValidationError(unknown_record(name, slug))
    return [found[slug] for slug in slugs]


def _resolver(model: type[Model], name: str) -> Callable[[list[str]], list[Model]]:
    return lambda slugs: resolve_records(model, name, slugs)


# --- The table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One query-string parameter of the proposal list.

    - `field` makes the form field that parses and validates it (`resolve`, when set,
      turns the parsed value into a record with one query).
    - `apply` names the ProposalQuerySet method that filters by the cleaned value
      (None: not a filter, e.g. the sort).
    - `multi`: the key may repeat (OR within the parameter); otherwise once only.
    - `facet`: how the list counts its options ("grid": the one GROUP BY over
      `column`, shared with the other grid facets; "topic"; "people": delegate or
      company; "flag": yes/no, "yes" being the QuerySet's `<apply>_condition()`;
      each counted in the one pass over its selection, proposals/facet_sql.py), or
      None for no facet. A
      facet lists `choices` (all of them with `show_empty`, else those with results)
      or, without choices, the values counted.
    - `counts`: the TrendCountQuerySet method that applies it to the maintained
      counts, or None when TrendCount cannot count under it; `counts_if` narrows that
      to some values (two topics' union would be counted twice).
    - `admin_lookup`: the admin changelist parameter meaning the same filter.
    - `chip`: how one value reads on its removable chip.
    - `in_form`: the list's form has a visible control for it (others are carried as
      hidden inputs, so pressing Apply never drops them).
    """

    name: str
    label: Promise
    field: Callable[[], forms.Field]
    apply: str | None
    chip: Callable[[Any], str] | None = None
    multi: bool = False
    facet: str | None = None
    column: str | None = None
    choices: Iterable[tuple[str, Any]] | None = None
    show_empty: bool = False
    counts: str | None = None
    counts_if: Callable[[Any], bool] | None = None
    admin_lookup: str | None = None
    resolve: Callable[[Any], Any] | None = None
    in_facet_key: bool = True
    in_trends: bool = False
    in_form: bool = True

    def values(self, cleaned: Any) -> list[Any]:
        """The cleaned value as a list of single values (empty when not given)."""
        if cleaned in (None, "", [], ()):
            return []
        return list(cleaned) if self.multi else [cleaned]

    def countable(self, cleaned: Any) -> bool:
        """Whether TrendCount can count under this value (no value, or a parameter that
        filters nothing such as the sort: always)."""
        if self.apply is None or not self.values(cleaned):
            return True
        return self.counts is not None and (self.counts_if is None or self.counts_if(cleaned))


def make_field(param: Param) -> forms.Field:
    field = param.field()
    field.required = False
    field.label = param.label
    return field


def url_value(value: Any) -> str:
    """A cleaned single value as it is written in the query string."""
    slug = getattr(value, "slug", None)
    return slug if slug is not None else str(value)


def _choice_field(choices: Iterable[tuple[str, Any]]) -> Callable[[], forms.Field]:
    return lambda: forms.ChoiceField(choices=choices, required=False)


def _year_field() -> forms.Field:
    return forms.IntegerField(min_value=YEAR_FLOOR, max_value=YEAR_CEILING, required=False)


def _search_field() -> forms.Field:
    return forms.CharField(
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        required=False,
        validators=[ProhibitNullCharactersValidator()],
    )


def _facets_shown_whole() -> forms.Field:
    return forms.MultipleChoiceField(
        choices=[("delegate", gettext_lazy("Delegate")), ("company", gettext_lazy("Company"))],
        required=False,
    )


def _at_most_one(value: list[Any]) -> bool:
    return len(value) <= 1


OUTCOME_CHOICES = [
    ("known", gettext_lazy("Some outcome known")),
    ("unknown", gettext_lazy("No outcome known")),
]
FILED_AGAIN_CHOICES = [
    ("yes", gettext_lazy("Filed in more than one year")),
    ("no", gettext_lazy("Filed once, as far as known")),
]
# Issue 13: whether anything is known of what became of a proposal (the status is
# derived from its outcome events, so TrendCount counts it), and whether the same
# ask was filed again (a link between proposals, which TrendCount cannot count).
OUTCOME_PARAMS: tuple[Param, ...] = (
    Param(
        "outcome",
        gettext_lazy("Outcome known"),
        _choice_field(OUTCOME_CHOICES),
        apply="with_outcome",
        chip=lambda v: str(dict(OUTCOME_CHOICES)[v]),
        counts="with_outcome",
        in_form=False,
    ),
    Param(
        "filed_again",
        gettext_lazy("Filed again"),
        _choice_field(FILED_AGAIN_CHOICES),
        apply="filed_again",
        chip=lambda v: str(dict(FILED_AGAIN_CHOICES)[v]),
        facet="flag",
        choices=FILED_AGAIN_CHOICES,
        show_empty=True,
    ),
)

PARAMS: tuple[Param, ...] = (
    Param(
        "q",
        gettext_lazy("Search"),
        _search_field,
        apply="search",
        chip=lambda q: gettext("“%(q)s”") % {"q": q},
    ),
    Param(
        "sort",
        gettext_lazy("Sort by"),
        _choice_field(Sort.CHOICES),
        apply=None,
        in_facet_key=False,
    ),
    Param(
        "year_min",
        gettext_lazy("From year"),
        _year_field,
        apply="from_year",
        chip=lambda y: gettext("From %(year)s") % {"year": y},
        counts="from_year",
        in_trends=True,
    ),
    Param(
        "year_max",
        gettext_lazy("To year"),
        _year_field,
        apply="to_year",
        chip=lambda y: gettext("To %(year)s") % {"year": y},
        counts="to_year",
        in_trends=True,
    ),
    Param(
        "body",
        gettext_lazy("Body"),
        _choice_field(Body.choices),
        apply="in_body",
        chip=lambda b: str(Body(b).label),
        facet="grid",
        column="body",
        choices=Body.choices,
        show_empty=True,
        counts="in_body",
        admin_lookup="body__exact",
        in_trends=True,
    ),
    Param(
        "year",
        gettext_lazy("Year"),
        YearsField,
        apply="in_years",
        chip=lambda y: gettext("Year %(year)s") % {"year": y},
        multi=True,
        facet="grid",
        column="session_id",
        counts="in_years",
        admin_lookup="session__year__exact",
    ),
    Param(
        "topic",
        gettext_lazy("Topic"),
        TopicsField,
        apply="in_topics",
        chip=lambda t: localized_text(t, "name"),
        multi=True,
        facet="topic",
        counts="on_topics",
        counts_if=_at_most_one,
        in_trends=True,
    ),
    Param(
        "delegate",
        gettext_lazy("Delegate"),
        RecordsField,
        apply="by_delegates",
        chip=lambda d: localized_text(d, "name"),
        multi=True,
        facet="people",
        resolve=_resolver(Delegate, "delegate"),
        in_trends=True,
    ),
    Param(
        "company",
        gettext_lazy("Company (role held that year)"),
        RecordsField,
        apply="at_companies",
        chip=lambda c: localized_text(c, "name"),
        multi=True,
        facet="people",
        resolve=_resolver(Company, "company"),
        in_trends=True,
    ),
    Param(
        "status",
        gettext_lazy("Outcome"),
        _choice_field(Status.choices),
        apply="with_status",
        chip=lambda s: str(Status(s).label),
        facet="grid",
        column="status",
        choices=Status.choices,
        counts="with_status",
        admin_lookup="status__exact",
    ),
    *OUTCOME_PARAMS,
    # Not a filter: the facets listed whole rather than their top FACET_TOP options.
    Param(
        "facet",
        gettext_lazy("Show every option of"),
        _facets_shown_whole,
        apply=None,
        multi=True,
        in_form=False,
    ),
)
BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}


def check_year_range(cleaned: dict[str, Any]) -> list[tuple[str, str]]:
    """Rules across parameters, as (parameter, message) pairs."""
    low, high = cleaned.get("year_min"), cleaned.get("year_max")
    if low is not None and high is not None and low > high:
        return [
            (
                "year_max",
                gettext("“To year” (%(high)s) is before “From year” (%(low)s).")
                % {"high": high, "low": low},
            )
        ]
    return []


class ParamsForm(forms.Form):
    """A form over some of the table's parameters, with the rules every view shares:
    single-valued keys given at most once, records resolved, the year range in order.
    Unknown parameters are ignored (a shared link may carry utm_source...)."""

    table_params: tuple[Param, ...] = ()

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        for param in self.table_params:
            if param.name not in self.fields:  # a FilterSet declares its own
                self.fields[param.name] = make_field(param)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        for param in self.table_params:
            if getlist is not None and not param.multi and len(getlist(param.name)) > 1:
                self.add_error(param.name, gettext("Give this parameter once."))
                continue
            value = cleaned.get(param.name)
            if param.resolve is not None and value and self.resolves_records:
                try:
                    cleaned[param.name] = param.resolve(value)
                except forms.ValidationError as exc:
                    self.add_error(param.name, exc)
        for name, message in check_year_range(cleaned):
            if name in self.fields:
                self.add_error(name, message)
        return cleaned

    # Records are looked up unless a caller counts in a query that also finds them.
    resolves_records = True


def form_for(params: Iterable[Param], *, resolve: bool = True) -> type[ParamsForm]:
    """A ParamsForm class over `params`."""
    return type(
        "ParamsForm",
        (ParamsForm,),
        {"table_params": tuple(params), "resolves_records": resolve},
    )
