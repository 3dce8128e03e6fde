"""Read-side queries for the public pages that span several apps. Views call these
and get plain values; each function's query count is fixed, whatever the data size."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum

from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate
from topics.models import Topic
from topics.selectors import topic_tree

from . import trends
from .filters import ProposalFilter
from .models import Proposal, ProposalTopic, Status, TrendCount

FACET_TOP = 12


def headline_counts() -> dict[str, int | None]:
    """Counts shown at the top of the home page: one query per table, none per row."""
    return {
        # Exact, from the maintained counts: COUNT(*) reads a million rows.
        "proposals": TrendCount.objects.visible().total(),
        "delegates": Delegate.objects.visible().count(),
        "companies": Company.objects.visible().count(),
        "sessions": AnnualSession.objects.visible().count(),
        "latest_year": AnnualSession.objects.visible().aggregate(latest=Max("year"))["latest"],
    }


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    label_zh: str = ""
    children: list[FacetOption] = field(default_factory=list)


@dataclass
class Facets:
    total: int
    year: list[FacetOption]
    body: list[FacetOption]
    status: list[FacetOption]
    topic: list[FacetOption]
    delegate: list[FacetOption]
    company: list[FacetOption]

    def per_year(self) -> dict[int, int]:
        """How many of the results fall in each year: the year facet's counts, which
        apply every other filter, for the chosen years or, with none chosen, all."""
        chosen = [o for o in self.year if o.selected]
        return {int(o.value): o.count for o in chosen or self.year}


def facet_key(filterset: ProposalFilter) -> tuple:
    """The filter state that decides the facets (not the sort, not the page)."""
    data = filterset.form.cleaned_data
    return (
        tuple(data.get("year") or ()),
        data.get("year_min"),
        data.get("year_max"),
        data.get("body") or "",
        tuple(sorted(t["slug"] for t in data.get("topic") or ())),
        data["delegate"].slug if data.get("delegate") else "",
        data["company"].slug if data.get("company") else "",
        data.get("status") or "",
        data.get("q") or "",
    )


def cached_facet_counts(filterset: ProposalFilter) -> Facets:
    """facet_counts(), cached under the data version that every write bumps, so a
    repeat visit costs no facet query and an edit in the admin shows at once."""
    return trends.cached("facets", facet_key(filterset), lambda: facet_counts(filterset))


def counted_in_aggregates(filterset: ProposalFilter) -> bool:
    """Whether the year, body, status and topic facets can be read from TrendCount:
    it holds exact counts per (year, body, status, topic), so any mix of those filters
    with at most one topic is a sum of its rows. Search, delegate and company filters
    (and two topics, whose union a sum would count twice) need the proposals."""
    data = filterset.form.cleaned_data
    return (
        not (data.get("q") or data.get("delegate") or data.get("company"))
        and len(data.get("topic") or []) <= 1
    )


def facet_counts(filterset: ProposalFilter) -> Facets:
    """How many results each option would give, given every other active filter.

    Four queries in all: one GROUP BY (year, body, status) from which those three
    facets and the total are derived, one for topics (sub-topics and, counting each
    proposal once, their parents), one each for the top delegates and companies.
    The first two read the small TrendCount table when counted_in_aggregates()."""
    data = filterset.form.cleaned_data
    years, body, status = set(data.get("year") or []), data.get("body"), data.get("status")
    from_aggregates = counted_in_aggregates(filterset)

    if from_aggregates:
        topic = (data.get("topic") or [None])[0]
        grid = list(
            TrendCount.objects.visible()
            .between(data.get("year_min"), data.get("year_max"))
            .on_topic(topic["id"] if topic else None)
            .order_by()
            .values("body", "status", session_id=F("year"))
            .annotate(n=Sum("proposals"))
        )
    else:
        grid = list(
            filterset.qs_without("year", "body", "status")
            .order_by()
            .values("session_id", "body", "status")
            .annotate(n=Count("pk"))
        )
    by_year: Counter[int] = Counter()
    by_body: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    total = 0
    for row in grid:
        year_ok = not years or row["session_id"] in years
        body_ok = not body or row["body"] == body
        status_ok = not status or row["status"] == status
        if body_ok and status_ok:
            by_year[row["session_id"]] += row["n"]
        if year_ok and status_ok:
            by_body[row["body"]] += row["n"]
        if year_ok and body_ok:
            by_status[row["status"]] += row["n"]
        if year_ok and body_ok and status_ok:
            total += row["n"]

    year_options = [
        FacetOption(str(y), str(y), n, y in years) for y, n in sorted(by_year.items(), reverse=True)
    ]
    body_options = [FacetOption(b.value, b.label, by_body[b.value], b.value == body) for b in Body]
    status_options = [
        FacetOption(s.value, s.label, by_status[s.value], s.value == status)
        for s in Status
        if by_status[s.value] or s.value == status
    ]
    return Facets(
        total=total,
        year=year_options,
        body=body_options,
        status=status_options,
        topic=_topic_facet(filterset, from_aggregates),
        delegate=_delegate_facet(filterset),
        company=_company_facet(filterset),
    )


def _topic_facet(filterset: ProposalFilter, from_aggregates: bool) -> list[FacetOption]:
    data = filterset.form.cleaned_data
    chosen = {t["slug"] for t in data.get("topic") or []}
    if from_aggregates:
        counts = _aggregate_topic_counts(data)
    else:
        counts = topic_counts(filterset.qs_without("topic"))
    options = []
    for root in topic_tree():
        children = [
            FacetOption(
                c["slug"], c["name"], counts.get(("topic", c["id"]), 0), c["slug"] in chosen
            )
            for c in root["children"]
        ]
        options.append(
            FacetOption(
                root["slug"],
                root["name"],
                counts.get(("group", root["id"]), 0),
                root["slug"] in chosen,
                children=[c for c in children if c.count or c.selected],
            )
        )
    return [o for o in options if o.count or o.selected or o.children]


def _top_options(rows: Any, chosen: Any) -> list[FacetOption]:
    """Facet options from rows of slug, name, name_zh and n; the chosen record stays
    listed even when it is outside the top."""
    options = [
        FacetOption(
            r["slug"],
            r["name"],
            r["n"],
            chosen is not None and r["slug"] == chosen.slug,
            r["name_zh"],
        )
        for r in rows
    ]
    if chosen is not None and not any(o.selected for o in options):
        options.insert(0, FacetOption(chosen.slug, chosen.name, 0, True, chosen.name_zh))
    return options


def _delegate_facet(filterset: ProposalFilter) -> list[FacetOption]:
    proposals = filterset.qs_without("delegate")
    # Grouped by id alone and then named: grouping a million proposals by three text
    # columns of a join takes ten times as long.
    # COUNT(*), not COUNT(id): the delegate index alone can answer it.
    top = (
        proposals.order_by()
        .values("delegate_id")
        .annotate(n=Count("*"))
        .order_by("-n", "delegate_id")
        .values("delegate_id")[:FACET_TOP]
    )
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
    return _top_options(rows, filterset.form.cleaned_data.get("delegate"))


def _company_facet(filterset: ProposalFilter) -> list[FacetOption]:
    role = "delegate__affiliations"
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
        .order_by("-n", "name")[:FACET_TOP]
    )
    return _top_options(rows, filterset.form.cleaned_data.get("company"))


def _aggregate_topic_counts(data: dict[str, Any]) -> dict[tuple[str, int], int]:
    """topic_counts() of the proposals the year, body and status filters select, read
    from TrendCount, whose parent rows already count each proposal once."""
    rows = TrendCount.objects.visible().tagged().between(data.get("year_min"), data.get("year_max"))
    if data.get("year"):
        rows = rows.in_years(data["year"])
    if data.get("body"):
        rows = rows.in_body(data["body"])
    if data.get("status"):
        rows = rows.with_status(data["status"])
    roots = {root["id"] for root in topic_tree()}
    counts = {}
    for topic_id, n in (
        rows.order_by().values("topic_id").annotate(n=Sum("proposals")).values_list("topic_id", "n")
    ):
        counts[("group" if topic_id in roots else "topic", topic_id)] = n
    return counts


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


def topic_tree_with_counts() -> list[dict[str, Any]]:
    """The whole tree, unused topics included, with each topic's proposal count."""
    counts = _aggregate_topic_counts({})
    return [
        {
            **root,
            "count": counts.get(("group", root["id"]), 0),
            "children": [
                {**c, "count": counts.get(("topic", c["id"]), 0)} for c in root["children"]
            ],
        }
        for root in topic_tree()
    ]


def related_proposals(proposal: Proposal, limit: int = 12) -> dict[str, list[Proposal]]:
    """Same topic that year, and the same delegate's other proposals: one query."""
    topic_ids = [t.pk for t in proposal.topics.all()]
    shares_topic = Exists(
        ProposalTopic.objects.filter(proposal=OuterRef("pk"), topic_id__in=topic_ids)
    )
    others = Proposal.objects.visible().exclude(pk=proposal.pk)
    # The newest of the year sharing a topic (a walk down the (session, id) index that
    # stops at `limit`), and the delegate's own (their index). As a UNION of the two
    # rather than one WHERE with OR, which tested every proposal: three seconds at a
    # million.
    same_topic = (
        others.filter(shares_topic, session_id=proposal.session_id).order_by("-pk").values("pk")
    )
    same_delegate = (
        others.filter(delegate_id=proposal.delegate_id)
        .order_by("-session_id", "title")
        .values("pk")
    )
    if connections[Proposal.objects.db].features.supports_slicing_ordering_in_compound:
        # Twice the limit: some of the delegate's may also share a topic.
        same_topic, same_delegate = same_topic[:limit], same_delegate[: limit * 2]
    else:  # SQLite: no LIMIT inside a UNION; its data is small
        same_topic, same_delegate = same_topic.order_by(), same_delegate.order_by()
    rows = list(
        others.filter(pk__in=same_topic.union(same_delegate))
        .annotate(shares_topic=shares_topic)
        .select_related("delegate")
        .only(
            "pk", "title", "session_id", "body", "delegate__name", "delegate__slug", "delegate_id"
        )
        .order_by("-session_id", "title")
    )
    sharing = [r for r in rows if r.session_id == proposal.session_id and r.shares_topic]
    same_topic = sorted(sorted(sharing, key=lambda r: -r.pk)[:limit], key=lambda r: r.title)
    same_delegate = [
        r for r in rows if r.delegate_id == proposal.delegate_id and r not in same_topic
    ]
    return {"same_topic": same_topic, "same_delegate": same_delegate[:limit]}


def group_by_year(proposals: list[Proposal]) -> list[tuple[int, list[Proposal]]]:
    """Proposals already ordered newest first, grouped by session year."""
    groups: dict[int, list[Proposal]] = {}
    for p in proposals:
        groups.setdefault(p.session_id, []).append(p)
    return list(groups.items())


def top_topics(proposals: list[Proposal], limit: int = 8) -> list[tuple[Topic, int]]:
    """The topics most proposed on, from already-prefetched topics (no query)."""
    counter: Counter[Topic] = Counter(t for p in proposals for t in p.topics.all())
    return sorted(counter.items(), key=lambda item: (-item[1], item[0].name))[:limit]


def group_by_parent_topic(proposals: list[Proposal]) -> list[tuple[dict, list[Proposal]]]:
    """A session's proposals under each top-level topic they touch (a proposal with
    topics under two parents appears under both). Topics must be prefetched."""
    roots = {root["id"]: root for root in topic_tree()}
    groups: dict[int, list[Proposal]] = defaultdict(list)
    for p in proposals:
        for root_id in dict.fromkeys(t.parent_id or t.pk for t in p.topics.all()):
            groups[root_id].append(p)
    return sorted(
        ((roots[r], items) for r, items in groups.items() if r in roots),
        key=lambda g: (-len(g[1]), g[0]["name"]),
    )


def proposal_counts_by_session() -> dict[int, dict[str, int]]:
    rows = (
        TrendCount.objects.visible()
        .on_topic(None)
        .order_by()
        .values("year", "body")
        .annotate(n=Sum("proposals"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"npc": 0, "cppcc": 0, "total": 0})
    for r in rows:
        counts[r["year"]][r["body"]] += r["n"]
        counts[r["year"]]["total"] += r["n"]
    return counts


def with_proposal_counts(delegates: list[Delegate]) -> list[Delegate]:
    """Set `proposal_count` on each of a page of delegates, in one grouped query over
    their proposals only (annotating the whole table would count every proposal)."""
    counts = dict(
        Proposal.objects.visible()
        .filter(delegate__in=delegates)
        .order_by()
        .values("delegate_id")
        .annotate(n=Count("*"))
        .values_list("delegate_id", "n")
    )
    for delegate in delegates:
        delegate.proposal_count = counts.get(delegate.pk, 0)
    return delegates


def delegate_record(delegate: Delegate, limit: int) -> dict[str, Any]:
    """A delegate's proposals for their page, whatever their number: counts per year
    and the topics they propose on most over all of them, the newest `limit` listed.
    Four queries (the counts, the topics, the rows and their topics)."""
    mine = Proposal.objects.visible().by_delegate(delegate)
    per_year = dict(
        mine.order_by().values("session_id").annotate(n=Count("*")).values_list("session_id", "n")
    )
    topics = (
        Topic.objects.filter(proposals__in=mine.values("pk"))
        .annotate(n=Count("*"))
        .order_by("-n", "name")[:8]
    )
    proposals = list(mine.for_list().newest_first()[:limit])
    return {
        "proposal_count": sum(per_year.values()),
        # (year, its listed proposals, how many it has in all)
        "proposals_by_year": [
            (year, items, per_year[year]) for year, items in group_by_year(proposals)
        ],
        "listed": len(proposals),
        "top_topics": [(topic, topic.n) for topic in topics],
    }
