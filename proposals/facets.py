"""The list's facets: how many results each option of each parameter would give, given
every other active filter. What is counted, and from where, follows the parameter
table (params.py): its `facet` kind picks the counting, its `counts` entry says
whether the maintained TrendCount table can answer instead of the proposals, and the
cache key is every parameter's value, so no filter can be left out of either."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F, Sum

from core.cache import cached
from topics.tree import topic_tree

from . import facet_sql
from .filters import ProposalFilter
from .models import TrendCount
from .params import Param, url_value

FACET_TOP = 12
# TrendCount's name for a Proposal column.
TRENDCOUNT_COLUMNS = {"session_id": "year"}


@dataclass
class FacetOption:
    value: str
    # A name from the data (with its Chinese twin, shown by the `localized` tag), or a
    # choice's lazy label: facets are cached in no language.
    label: Any
    count: int | None  # None: not counted (a search over TRACKER_SEARCH_COUNT_LIMIT)
    selected: bool
    label_zh: str = ""
    children: list[FacetOption] = field(default_factory=list)


@dataclass
class Facet:
    """One facet panel of the list's form: a parameter's name, label and counted options.
    Facets are cached: they hold names and lazy labels, never text in one language."""

    name: str
    legend: Any  # the parameter's lazy label
    multi: bool
    options: list[FacetOption]
    # More options exist than are listed (a people facet's top ones): "show all".
    more: bool = False
    # Listed whole at the reader's asking (`facet=<name>`): "show the top ones".
    whole: bool = False
    # False when its selection matched more than TRACKER_SEARCH_COUNT_LIMIT: the
    # options are listed without counts (a people facet lists the chosen ones only).
    counted: bool = True
    # The list says so above the results (its own selection is over the limit too):
    # the panel need not say it again.
    said_above: bool = False

    @property
    def any_selected(self) -> bool:
        return any(o.selected or any(c.selected for c in o.children) for o in self.options)


@dataclass
class Facets:
    total: int | None  # None: more than `more_than`
    panels: list[Facet]
    # The search matched more than this many (TRACKER_SEARCH_COUNT_LIMIT): the list
    # shows that many at most, newest first unless another order is asked for.
    more_than: int | None = None

    def __getitem__(self, name: str) -> list[FacetOption]:
        """One facet's options (`facets.year` in templates)."""
        for panel in self.panels:
            if panel.name == name:
                return panel.options
        raise KeyError(name)

    def per_year(self) -> dict[int, int] | None:
        """How many of the results fall in each year: the year facet's counts, which
        apply every other filter, for the chosen years or, with none chosen, all.
        None when the year facet was not counted."""
        options = self["year"]
        if any(o.count is None for o in options):
            return None
        chosen = [o for o in options if o.selected]
        return {int(o.value): o.count for o in chosen or options}


def facet_key(filterset: ProposalFilter) -> tuple:
    """The filter state that decides the facets: every parameter in the table but
    those that only order or page the results, each value normalised."""
    data = filterset.form.cleaned_data
    return tuple(
        (param.name, tuple(sorted(url_value(v) for v in param.values(data.get(param.name)))))
        for param in filterset.table
        if param.in_facet_key
    )


def counted_in_aggregates(filterset: ProposalFilter) -> bool:
    """Whether the grid and topic facets can be read from TrendCount: it holds exact
    counts per (year, body, status, topic), so it can answer when every active filter
    is one the table marks as countable there."""
    data = filterset.form.cleaned_data
    return all(param.countable(data.get(param.name)) for param in filterset.table)


def cached_facet_counts(filterset: ProposalFilter) -> Facets:
    """facet_counts(), cached under the data version that every write bumps, so a
    repeat visit costs no facet query and an edit in the admin shows at once."""
    key = (facet_key(filterset), search_count_limit(filterset))  # the bound shapes them
    return cached("facets", key, lambda: facet_counts(filterset))


def facet_counts(filterset: ProposalFilter) -> Facets:
    """Every facet's options with their counts, in table order.

    A fixed number of queries. The facets that count proposals each count the
    selection under every other filter, which for most of them is the same one (the
    list's own, when their parameter is not set): each distinct selection is counted
    once, every facet on it in the same pass (`facet_sql`). The grid (year, body,
    status) and topic facets read the small TrendCount table instead when
    counted_in_aggregates(): one query each."""
    data = filterset.form.cleaned_data
    from_aggregates = counted_in_aggregates(filterset)
    grid_params = [p for p in filterset.table if p.facet == "grid"]
    chosen = {p.column: set(map(str, p.values(data.get(p.name)))) for p in grid_params}
    limit = search_count_limit(filterset)
    counted = _count_proposals(filterset, grid_params, from_aggregates, limit)

    grid_counted = True
    if from_aggregates:
        grid = _aggregate_grid_rows(filterset, grid_params)
    else:
        by_grid = counted[_skipped(filterset, *(p.name for p in grid_params))]
        grid, grid_counted = by_grid.grid, not by_grid.over

    def passes(row: dict[str, Any], skip: str | None) -> bool:
        return all(
            not wanted or str(row[column]) in wanted
            for column, wanted in chosen.items()
            if column != skip
        )

    per_column: dict[str, Counter[str]] = {p.column: Counter() for p in grid_params}
    total = 0
    for row in grid:
        for column, counter in per_column.items():
            if passes(row, column):
                counter[str(row[column])] += row["n"]
        if passes(row, None):
            total += row["n"]
    more_than = None
    if not grid_counted:  # the list's own selection may still be within the limit
        listed = counted[frozenset()]
        total = listed.total
        if listed.over:
            total, more_than = None, limit

    panels = []
    for param in filterset.table:
        if param.facet is None:  # not a facet
            continue
        own = counted.get(_skipped(filterset, param.name))
        over = not grid_counted if param.facet == "grid" else own is not None and own.over
        if over:
            panels.append(_uncounted(filterset, param))
            continue
        if param.facet == "grid":
            options = _grid_options(param, per_column[param.column], chosen[param.column])
        elif param.facet == "topic":
            topic_counts = (
                _aggregate_topic_counts(_counts_under(filterset, skip={"topic"}))
                if from_aggregates
                else own.topics
            )
            options = _topic_options(filterset, topic_counts)
        elif param.facet == "people":
            rows = own.delegates if param.name == "delegate" else own.companies
            people = _people_options(
                rows, data.get(param.name) or [], _people_limit(filterset, param.name)
            )
            panels.append(
                Facet(
                    param.name,
                    param.label,
                    param.multi,
                    people.options,
                    more=people.more,
                    whole=people.whole,
                )
            )
            continue
        elif param.facet == "flag":
            picked = set(map(str, param.values(data.get(param.name))))
            options = _grid_options(param, Counter(own.flags[param.name]), picked)
        else:
            continue
        panels.append(Facet(param.name, param.label, param.multi, options))
    if more_than is not None:
        for panel in panels:
            panel.said_above = not panel.counted
    return Facets(total=total, panels=panels, more_than=more_than)


def search_count_limit(filterset: ProposalFilter) -> int | None:
    """How many matches a search's selections are counted up to (None: no bound, the
    list is not a search)."""
    return settings.TRACKER_SEARCH_COUNT_LIMIT if filterset.form.cleaned_data.get("q") else None


def _uncounted(filterset: ProposalFilter, param: Param) -> Facet:
    """A facet whose selection holds more matches than the search count limit: every
    option it can offer, the chosen ones checked, no counts (a people facet: the chosen
    ones only, since which others lead is what counting would tell)."""
    data = filterset.form.cleaned_data
    picked = {url_value(v) for v in param.values(data.get(param.name))}  # slugs for records
    if param.facet == "topic":
        options = [
            FacetOption(
                root.slug,
                root.name,
                None,
                root.slug in picked,
                root.name_zh,
                children=[
                    FacetOption(c.slug, c.name, None, c.slug in picked, c.name_zh)
                    for c in root.children
                ],
            )
            for root in topic_tree().roots
        ]
    elif param.facet == "people":
        options = [
            FacetOption(c.slug, c.name, None, True, c.name_zh) for c in data.get(param.name) or []
        ]
    elif param.choices is None:  # years: every year of the maintained counts
        counts = TrendCount.objects.visible().on_topic(None).order_by()
        years = set(map(str, counts.values_list("year", flat=True).distinct()))
        options = [
            FacetOption(v, v, None, v in picked)
            for v in sorted(years | picked, key=int, reverse=True)
        ]
    else:
        options = [FacetOption(v, label, None, v in picked) for v, label in param.choices]
    return Facet(param.name, param.label, param.multi, options, counted=False)


def _skipped(filterset: ProposalFilter, *names: str) -> frozenset[str]:
    """Of these parameters, those that are set: a facet counts the selection without
    them, which is the list's own selection when none is."""
    data = filterset.form.cleaned_data
    by_name = {p.name: p for p in filterset.table}
    return frozenset(n for n in names if by_name[n].values(data.get(n)))


def _count_proposals(
    filterset: ProposalFilter,
    grid_params: list[Param],
    from_aggregates: bool,
    limit: int | None = None,
) -> dict[frozenset[str], facet_sql.Counted]:
    """What each facet that counts proposals needs, asked once per distinct selection
    (the filters it leaves out) and counted in one pass over it, each up to `limit`."""
    data = filterset.form.cleaned_data
    asks: dict[frozenset[str], facet_sql.Ask] = {}

    def ask(*names: str) -> facet_sql.Ask:
        return asks.setdefault(_skipped(filterset, *names), facet_sql.Ask())

    if limit is not None:
        ask()  # the list's own selection: its total, should the grid's be over the limit

    if not from_aggregates:
        ask(*(p.name for p in grid_params)).grid = [p.column for p in grid_params]
    for param in filterset.table:
        if param.facet == "topic" and not from_aggregates:
            ask(param.name).topics = True
        elif param.facet == "people":
            chosen = data.get(param.name) or []
            keys = [c.pk for c in chosen] if param.name == "delegate" else [c.slug for c in chosen]
            who = facet_sql.PeopleAsk(keys, _people_limit(filterset, param.name))
            if param.name == "delegate":
                ask(param.name).delegates = who
            else:
                ask(param.name).companies = who
        elif param.facet == "flag":
            # The QuerySet's `<apply>_condition()`: what "yes" means, as a condition.
            condition = getattr(filterset.queryset, f"{param.apply}_condition")()
            ask(param.name).flags[param.name] = condition
    return {
        skipped: facet_sql.count(
            filterset.qs_without(*skipped) if skipped else filterset.qs.all(), wanted, limit
        )
        for skipped, wanted in asks.items()
    }


def _aggregate_grid_rows(
    filterset: ProposalFilter, grid_params: list[Param]
) -> list[dict[str, Any]]:
    columns = [p.column for p in grid_params]
    counts = _counts_under(filterset, skip={p.name for p in grid_params})
    if not filterset.form.cleaned_data.get("topic"):
        counts = counts.on_topic(None)
    same = [c for c in columns if c not in TRENDCOUNT_COLUMNS]
    renamed = {c: F(TRENDCOUNT_COLUMNS[c]) for c in columns if c in TRENDCOUNT_COLUMNS}
    return list(counts.order_by().values(*same, **renamed).annotate(n=Sum("proposals")))


def _counts_under(filterset: ProposalFilter, *, skip: set[str]) -> Any:
    """TrendCount rows under every active filter but `skip`, each applied by the
    TrendCount method the table names."""
    data = filterset.form.cleaned_data
    counts = TrendCount.objects.visible()
    for param in filterset.table:
        value = data.get(param.name)
        if param.name not in skip and param.apply is not None and param.values(value):
            counts = getattr(counts, param.counts)(value)
    return counts


def _grid_options(param: Param, counts: Counter[str], chosen: set[str]) -> list[FacetOption]:
    if param.choices is None:  # values as counted: years, newest first
        # A chosen value stays listed, checked, at 0: dropping it from the form would
        # drop it from the URL on the next Apply.
        values = sorted(set(counts) | chosen, key=lambda v: int(v), reverse=True)
        return [FacetOption(v, v, counts[v], v in chosen) for v in values]
    return [
        FacetOption(value, label, counts[value], value in chosen)
        for value, label in param.choices
        if param.show_empty or counts[value] or value in chosen
    ]


def _topic_options(
    filterset: ProposalFilter, counts: dict[tuple[str, int], int]
) -> list[FacetOption]:
    chosen = {t.slug for t in filterset.form.cleaned_data.get("topic") or []}
    options = []
    for root in topic_tree().roots:
        children = [
            FacetOption(c.slug, c.name, counts.get(("topic", c.id), 0), c.slug in chosen, c.name_zh)
            for c in root.children
        ]
        options.append(
            FacetOption(
                root.slug,
                root.name,
                counts.get(("group", root.id), 0),
                root.slug in chosen,
                root.name_zh,
                children=[c for c in children if c.count or c.selected],
            )
        )
    return [o for o in options if o.count or o.selected or o.children]


@dataclass
class PeopleOptions:
    """A delegate or company facet's options: the top ones (all of them when shown
    whole) and every chosen one, and whether more exist than are listed."""

    options: list[FacetOption]
    more: bool = False
    whole: bool = False


def _people_limit(filterset: ProposalFilter, name: str) -> int | None:
    """How many unchosen options a people facet lists: FACET_TOP, or all of them when
    the reader asked for the facet whole (`facet=delegate`)."""
    return None if name in (filterset.form.cleaned_data.get("facet") or []) else FACET_TOP


def _people_options(rows: Any, chosen: list[Any], limit: int | None) -> PeopleOptions:
    """Options from rows of slug, name, name_zh and n (most first). Every chosen record
    is listed, checked, with its count (0 when it has none here); of the others the
    first `limit`."""
    chosen_slugs = {c.slug for c in chosen}
    picked, others = [], []
    # Most first, then by name: the rows come counted, in no order.
    for r in sorted(rows, key=lambda r: (-(r["n"] or 0), r["name"])):
        option = FacetOption(r["slug"], r["name"], r["n"] or 0, r["slug"] in chosen_slugs)
        option.label_zh = r["name_zh"]
        (picked if option.selected else others).append(option)
    seen = {o.value for o in picked}
    picked += [
        FacetOption(c.slug, c.name, 0, True, c.name_zh) for c in chosen if c.slug not in seen
    ]
    more = limit is not None and len(others) > limit
    shown = picked + (others if limit is None else others[:limit])
    shown.sort(key=lambda o: (-o.count, str(o.label)))
    return PeopleOptions(shown, more, whole=limit is None)


def _aggregate_topic_counts(counts: Any) -> dict[tuple[str, int], int]:
    """{("topic", id): n, ("group", parent_id): n} read from TrendCount rows, whose
    parent rows already count each proposal once."""
    roots = {root.id for root in topic_tree().roots}
    result = {}
    for topic_id, n in (
        counts.tagged()
        .order_by()
        .values("topic_id")
        .annotate(n=Sum("proposals"))
        .values_list("topic_id", "n")
    ):
        result[("group" if topic_id in roots else "topic", topic_id)] = n
    return result


def topic_counts_everywhere() -> dict[tuple[str, int], int]:
    """Every visible proposal's topic counts, from TrendCount."""
    return _aggregate_topic_counts(TrendCount.objects.visible())
