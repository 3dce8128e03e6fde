"""The list's facets: how many results each option of each parameter would give, given
every other active filter. What is counted, and from where, follows the parameter
table (params.py): its `facet` kind picks the counting, its `counts` entry says
whether the maintained TrendCount table can answer instead of the proposals, and the
cache key is every parameter's value, so no filter can be left out of either."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, When

from core.cache import cached
from delegates.models import Affiliation, Delegate
from topics.models import Topic
from topics.tree import topic_tree

from .filters import ProposalFilter
from .models import ProposalTopic, TrendCount
from .params import Param, url_value

FACET_TOP = 12
# TrendCount's name for a Proposal column.
TRENDCOUNT_COLUMNS = {"session_id": "year"}


@dataclass
class FacetOption:
    value: str
    label: Any  # a name from the data, or a choice's lazy label
    count: int
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

    @property
    def any_selected(self) -> bool:
        return any(o.selected or any(c.selected for c in o.children) for o in self.options)


@dataclass
class Facets:
    total: int
    panels: list[Facet]

    def __getitem__(self, name: str) -> list[FacetOption]:
        """One facet's options (`facets.year` in templates)."""
        for panel in self.panels:
            if panel.name == name:
                return panel.options
        raise KeyError(name)

    def per_year(self) -> dict[int, int]:
        """How many of the results fall in each year: the year facet's counts, which
        apply every other filter, for the chosen years or, with none chosen, all."""
        chosen = [o for o in self["year"] if o.selected]
        return {int(o.value): o.count for o in chosen or self["year"]}


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
    return cached("facets", facet_key(filterset), lambda: facet_counts(filterset))


def facet_counts(filterset: ProposalFilter) -> Facets:
    """Every facet's options with their counts, in table order.

    A fixed number of queries: one GROUP BY over the grid columns (year, body, status)
    from which those facets and the total are derived, one for topics (sub-topics and,
    counting each proposal once, their parents), one each for the top delegates and
    companies, one per "column" facet. The first two read TrendCount when
    counted_in_aggregates()."""
    data = filterset.form.cleaned_data
    from_aggregates = counted_in_aggregates(filterset)
    grid_params = [p for p in filterset.table if p.facet == "grid"]
    grid = _grid_rows(filterset, grid_params, from_aggregates)
    chosen = {p.column: set(map(str, p.values(data.get(p.name)))) for p in grid_params}

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

    panels = []
    for param in filterset.table:
        if param.facet == "grid":
            options = _grid_options(param, per_column[param.column], chosen[param.column])
        elif param.facet == "topic":
            options = _topic_facet(filterset, from_aggregates)
        elif param.facet == "people":
            people = _PEOPLE[param.name](filterset)
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
        elif param.facet == "column":
            options = _column_facet(filterset, param)
        elif param.facet == "flag":
            options = _flag_facet(filterset, param)
        else:
            continue
        panels.append(Facet(param.name, param.label, param.multi, options))
    return Facets(total=total, panels=panels)


def _grid_rows(
    filterset: ProposalFilter, grid_params: list[Param], from_aggregates: bool
) -> list[dict[str, Any]]:
    columns = [p.column for p in grid_params]
    if from_aggregates:
        counts = _counts_under(filterset, skip={p.name for p in grid_params})
        if not filterset.form.cleaned_data.get("topic"):
            counts = counts.on_topic(None)
        same = [c for c in columns if c not in TRENDCOUNT_COLUMNS]
        renamed = {c: F(TRENDCOUNT_COLUMNS[c]) for c in columns if c in TRENDCOUNT_COLUMNS}
        return list(counts.order_by().values(*same, **renamed).annotate(n=Sum("proposals")))
    names = [p.name for p in grid_params]
    return list(filterset.qs_without(*names).order_by().values(*columns).annotate(n=Count("pk")))


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


def _column_facet(filterset: ProposalFilter, param: Param) -> list[FacetOption]:
    chosen = set(map(str, param.values(filterset.form.cleaned_data.get(param.name))))
    counts: Counter[str] = Counter(
        {
            str(value): n
            for value, n in filterset.qs_without(param.name)
            .order_by()
            .values_list(param.column)
            .annotate(n=Count("pk"))
        }
    )
    return _grid_options(param, counts, chosen)


def _flag_facet(filterset: ProposalFilter, param: Param) -> list[FacetOption]:
    """A yes/no parameter whose values are conditions, not a column (filed again):
    its choices counted in one query under every other filter, by the QuerySet's
    `count_<apply>` method."""
    chosen = set(map(str, param.values(filterset.form.cleaned_data.get(param.name))))
    others = filterset.qs_without(param.name)
    counts: Counter[str] = Counter(getattr(others, f"count_{param.apply}")())
    return _grid_options(param, counts, chosen)


def _topic_facet(filterset: ProposalFilter, from_aggregates: bool) -> list[FacetOption]:
    chosen = {t.slug for t in filterset.form.cleaned_data.get("topic") or []}
    if from_aggregates:
        counts = _aggregate_topic_counts(_counts_under(filterset, skip={"topic"}))
    else:
        counts = topic_counts(filterset.qs_without("topic"))
    options = []
    for root in topic_tree().roots:
        children = [
            FacetOption(c.slug, c.name, counts.get(("topic", c.id), 0), c.slug in chosen)
            for c in root.children
        ]
        options.append(
            FacetOption(
                root.slug,
                root.name,
                counts.get(("group", root.id), 0),
                root.slug in chosen,
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


def _chosen_first(column: str, values: list[Any]) -> list[Any]:
    """An ordering that puts the chosen records (`column` in `values`, a grouped
    column) before the top ones, so that one LIMIT keeps both."""
    if not values:
        return []
    return [Case(When(**{f"{column}__in": values}, then=0), default=1)]


def _people_options(rows: Any, chosen: list[Any], limit: int | None) -> PeopleOptions:
    """Options from rows of slug, name, name_zh and n (most first). Every chosen record
    is listed, checked, with its count (0 when it has none here); of the others the
    first `limit`."""
    chosen_slugs = {c.slug for c in chosen}
    picked, others = [], []
    for r in rows:
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


def _delegate_facet(filterset: ProposalFilter) -> PeopleOptions:
    proposals = filterset.qs_without("delegate")
    chosen = filterset.form.cleaned_data.get("delegate") or []
    limit = _people_limit(filterset, "delegate")
    # Grouped by id alone and then named: grouping a million proposals by three text
    # columns of a join takes ten times as long.
    # COUNT(*), not COUNT(id): the delegate index alone can answer it.
    top = (
        proposals.order_by()
        .values("delegate_id")
        .annotate(n=Count("*"))
        .order_by(*_chosen_first("delegate_id", [c.pk for c in chosen]), "-n", "delegate_id")
        .values("delegate_id")
    )
    if limit is not None:  # one more than shown tells whether there are more
        top = top[: limit + 1 + len(chosen)]
    counts = (
        proposals.filter(delegate=OuterRef("pk"))
        .order_by()
        .values("delegate_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        Delegate.objects.filter(pk__in=top)
        .annotate(n=Subquery(counts))
        .order_by("-n", "name")
        .values("slug", "name", "name_zh", "n")
    )
    return _people_options(rows, chosen, limit)


def _company_facet(filterset: ProposalFilter) -> PeopleOptions:
    role = "delegate__affiliations"
    chosen = filterset.form.cleaned_data.get("company") or []
    limit = _people_limit(filterset, "company")
    # A proposal counts for a company when its delegate held a role there that year;
    # of two roles at one company held the same year only the first counts, so each
    # proposal counts once without a COUNT(DISTINCT), which sorts every pair.
    earlier_role = Affiliation.objects.held_in(OuterRef("session_id")).filter(
        delegate=OuterRef("delegate_id"),
        company=OuterRef(f"{role}__company_id"),
        pk__lt=OuterRef(f"{role}__pk"),
    )
    # One filter() call, so that every condition applies to the same affiliation join.
    rows = (
        filterset.qs_without("company")
        .filter(
            Q(**{f"{role}__start_year__isnull": True})
            | Q(**{f"{role}__start_year__lte": F("session_id")}),
            Q(**{f"{role}__end_year__isnull": True})
            | Q(**{f"{role}__end_year__gte": F("session_id")}),
            ~Exists(earlier_role),
        )
        .order_by()
        .values(
            slug=F(f"{role}__company__slug"),
            name=F(f"{role}__company__name"),
            name_zh=F(f"{role}__company__name_zh"),
        )
        .annotate(n=Count("*"))
        .order_by(*_chosen_first(f"{role}__company__slug", [c.slug for c in chosen]), "-n", "name")
    )
    if limit is not None:
        rows = rows[: limit + 1 + len(chosen)]
    return _people_options(rows, chosen, limit)


_PEOPLE = {"delegate": _delegate_facet, "company": _company_facet}


def _aggregate_topic_counts(counts: Any) -> dict[tuple[str, int], int]:
    """topic_counts() read from TrendCount rows, whose parent rows already count each
    proposal once."""
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


def topic_counts(proposals: Any) -> dict[tuple[str, int], int]:
    """{("topic", id): n, ("group", parent_id): n} over the given proposal queryset, in
    one query. A parent counts a proposal once however many sub-topics apply."""
    selected = proposals.order_by().values("pk")
    try:
        inner, params = selected.query.get_compiler(using=selected.db).as_sql()
    except EmptyResultSet:  # a filter that can match nothing, such as an empty IN
        return {}
    # The proposals are selected once, into a CTE both counts read: as two queries of
    # a UNION each ran the selection again, which for a search matching 80,000 of a
    # million proposals is half a second each. A CTE read twice is materialised.
    # Table names from the models, the selection compiled by the ORM with its params.
    sql = f"""
        WITH links AS (
            SELECT pt.proposal_id, pt.topic_id, COALESCE(t.parent_id, pt.topic_id) AS grp
            FROM {ProposalTopic._meta.db_table} pt
            JOIN {Topic._meta.db_table} t ON t.id = pt.topic_id
            WHERE pt.proposal_id IN ({inner})
        )
        SELECT 'topic', topic_id, COUNT(*) FROM links GROUP BY topic_id
        UNION ALL
        SELECT 'group', grp, COUNT(DISTINCT proposal_id) FROM links GROUP BY grp
    """  # noqa: S608
    with connections[proposals.db].cursor() as cursor:
        cursor.execute(sql, params)
        return {(level, key): n for level, key, n in cursor.fetchall()}
