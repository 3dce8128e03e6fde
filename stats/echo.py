"""How proposals echo the government's goals: exact numbers, returned as data (ids,
slugs, years and counts; no display text), cached under the data version.

Definitions (worded for readers on /about/ and the pages' definitions):
- A priority *covers* the topics it is tagged with and, for a top-level topic, every
  sub-topic of it: a priority on "AI and frontier technology" covers "AI".
- The report *named* a topic in a year when a priority of that year covers it. A
  top-level topic counts as named when it or any of its sub-topics is.
- A proposal is *on* a topic when it is tagged with it or, for a top-level topic, with
  one of its sub-topics (the proposal list's rule).
- A proposal *echoes* a priority when it is tagged with a topic the priority covers.
  On a session's page a priority lists its echoes from that session and the one before
  (proposals filed a year ahead of a report count); a delegate's or company's echo
  count takes only proposals of the same year as the priority.
- A proposal is *ahead of the government* when one of its topics was first named by the
  report in a later year than the proposal's. Years the data holds no report for count
  as not named: the data starts in 2013.
An echo is a shared topic, not a cause: say "echoes", never "led to".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery

from core.cache import cached
from delegates.models import AnnualSession, Company, Delegate
from government.models import GovernmentPriority
from proposals.models import Proposal, ProposalTopic
from topics.tree import TopicTree, topic_tree

from .counting import UnknownFilter


@dataclass(frozen=True)
class _Priority:
    id: int
    year: int
    first_named: bool
    topics: frozenset[int]  # as tagged
    covers: frozenset[int]  # tagged, and the sub-topics of tagged top-level topics


@dataclass(frozen=True)
class _Proposal:
    id: int
    year: int
    delegate: int
    topics: frozenset[int]


def _priorities(tree: TopicTree) -> list[_Priority]:
    """Every shown priority with what it covers: shared by every echo figure, so cached
    on its own (a running site asks for it once per data version)."""
    return cached("echo.priorities", (), lambda: _read_priorities(tree))


def _read_priorities(tree: TopicTree) -> list[_Priority]:
    tags: dict[tuple[int, int, bool], set[int]] = defaultdict(set)
    rows = (
        GovernmentPriority.objects.visible()
        .order_by("session_id", "pk")
        .values_list("pk", "session_id", "first_named", "topics")
    )
    for pk, year, first, topic in rows:
        tags[(pk, year, first)].add(topic)
    found = []
    for (pk, year, first), topics in tags.items():
        topics.discard(None)  # type: ignore[arg-type]
        covers = {i for t in topics if t in tree.by_id for i in tree.by_id[t].ids} | topics
        found.append(_Priority(pk, year, first, frozenset(topics), frozenset(covers)))
    return found


def _proposals(scope: QuerySet[Proposal]) -> list[_Proposal]:
    """The scope's proposals with their tags: one query."""
    tags: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    rows = (
        ProposalTopic.objects.filter(proposal__in=scope.order_by().values("pk"))
        .order_by("proposal__session_id", "proposal_id")
        .values_list("proposal_id", "proposal__session_id", "proposal__delegate_id", "topic_id")
    )
    for pk, year, delegate, topic in rows:
        tags[(pk, year, delegate)].add(topic)
    return [_Proposal(pk, y, d, frozenset(t)) for (pk, y, d), t in tags.items()]


def first_named_years(priorities: list[_Priority]) -> dict[int, int]:
    """Topic id -> the first year a priority covers it."""
    first: dict[int, int] = {}
    for p in priorities:
        for topic in p.covers:
            first[topic] = min(first.get(topic, p.year), p.year)
    return first


def _classify(proposals: list[_Proposal], priorities: list[_Priority]) -> dict[str, Any]:
    """Echo and ahead figures for a delegate's or a company's proposals."""
    by_year: dict[int, list[_Priority]] = defaultdict(list)
    for p in priorities:
        by_year[p.year].append(p)
    first = first_named_years(priorities)
    echoing, ahead = [], []
    for proposal in proposals:
        echoed = [p.id for p in by_year.get(proposal.year, []) if p.covers & proposal.topics]
        if echoed:
            echoing.append({"proposal": proposal.id, "year": proposal.year, "priorities": echoed})
        later = sorted(
            {t: first[t] for t in proposal.topics if first.get(t, 0) > proposal.year}.items()
        )
        if later:
            ahead.append(
                {
                    "proposal": proposal.id,
                    "year": proposal.year,
                    "topics": [t for t, _ in later],
                    "first_named": [y for _, y in later],
                }
            )
    per_year: dict[int, int] = defaultdict(int)
    for proposal in proposals:
        per_year[proposal.year] += 1
    return {
        "proposals": len(proposals),
        "by_year": [{"year": y, "proposals": per_year[y]} for y in sorted(per_year)],
        "echo": len(echoing),
        "ahead": len(ahead),
        "echoing": echoing,
        "ahead_of": ahead,
    }


def delegate_echo(slug: str, delegate: Delegate | None = None) -> dict[str, Any]:
    """A delegate's echo and ahead counts, with the proposals. Raises UnknownFilter.
    A page that has the delegate passes it, saving the look-up."""
    return cached("echo.delegate", slug, lambda: _delegate_echo(slug, delegate))


def _delegate_echo(slug: str, delegate: Delegate | None) -> dict[str, Any]:
    if delegate is None:
        delegate = Delegate.objects.visible().filter(slug=slug).first()
    if delegate is None:
        raise UnknownFilter("delegate", slug)
    scope = Proposal.objects.visible().by_delegate(delegate)
    return {"delegate": slug, **_classify(_proposals(scope), _priorities(topic_tree()))}


def company_echo(slug: str, company: Company | None = None) -> dict[str, Any]:
    """The same for the proposals of a company's people while there. Raises UnknownFilter."""
    return cached("echo.company", slug, lambda: _company_echo(slug, company))


def _company_echo(slug: str, company: Company | None) -> dict[str, Any]:
    if company is None:
        company = Company.objects.visible().filter(slug=slug).first()
    if company is None:
        raise UnknownFilter("company", slug)
    scope = Proposal.objects.visible().at_company(company)
    return {"company": slug, **_classify(_proposals(scope), _priorities(topic_tree()))}


def topic_echo(slug: str) -> dict[str, Any]:
    """The years the report named a topic, the first of them, the proposals on it
    before, in and after that year, and those ahead of the government."""
    return cached("echo.topic", slug, lambda: _topic_echo(slug))


def _topic_echo(slug: str) -> dict[str, Any]:
    tree = topic_tree()
    node = tree.by_slug.get(slug)
    if node is None:
        raise UnknownFilter("topic", slug)
    subtree = frozenset(node.ids)
    naming = [p for p in _priorities(tree) if p.covers & subtree]
    years = sorted({p.year for p in naming})
    first = years[0] if years else None
    proposals = _proposals(Proposal.objects.visible().in_topics([node]))
    per_year: dict[int, int] = defaultdict(int)
    for proposal in proposals:
        per_year[proposal.year] += 1
    ahead = [
        {"proposal": p.id, "year": p.year, "delegate": p.delegate}
        for p in proposals
        if first is not None and p.year < first
    ]
    return {
        "topic": slug,
        "named_years": years,
        "first_year": first,
        "first_named_flagged": sorted({p.year for p in naming if p.first_named}),
        "priorities": [p.id for p in naming],
        "proposals": len(proposals),
        "before": len(ahead),
        "in": per_year.get(first, 0) if first is not None else 0,
        "after": sum(n for y, n in per_year.items() if first is not None and y > first),
        "by_year": [{"year": y, "proposals": per_year[y]} for y in sorted(per_year)],
        "ahead": ahead,
        "ahead_delegates": len({a["delegate"] for a in ahead}),
    }


def session_echo(year: int, session: AnnualSession | None = None) -> dict[str, Any]:
    """A session's priorities, each with the proposals of that session and the one
    before on the topics it covers. Raises UnknownFilter for a session not shown. A
    page that has the session passes it, saving the look-up."""
    return cached("echo.session", year, lambda: _session_echo(year, session))


def _session_echo(year: int, session: AnnualSession | None) -> dict[str, Any]:
    if session is None:
        session = AnnualSession.objects.visible().filter(year=year).first()
    if session is None:
        raise UnknownFilter("session", str(year))
    priorities = [p for p in _priorities(topic_tree()) if p.year == year]
    proposals = _proposals(Proposal.objects.visible().in_years([year - 1, year]))
    listed = []
    echoing: set[int] = set()
    for p in priorities:
        same = [q.id for q in proposals if q.year == year and p.covers & q.topics]
        before = [q.id for q in proposals if q.year == year - 1 and p.covers & q.topics]
        echoing.update(same)
        listed.append(
            {
                "priority": p.id,
                "first_named": p.first_named,
                "topics": sorted(p.topics),
                "echoes": {"same_year": same, "year_before": before},
            }
        )
    return {
        "session": year,
        "in_progress": session.in_progress,
        "proposals": sum(1 for q in proposals if q.year == year),
        "echoing": len(echoing),
        "priorities": listed,
    }


def latest_complete_year() -> int | None:
    """The newest session with proposals an editor has not marked in progress (the
    dashboard's)."""
    return data_facts()["year"]


def data_facts() -> dict[str, Any]:
    """The latest complete session with proposals and when a proposal last changed:
    one query, cached (every page's footer says both)."""
    return cached("data-facts", (), _data_facts)


def _data_facts() -> dict[str, Any]:
    # Index walks in one statement: the newest updated_at, and per session (a few dozen)
    # whether it holds a proposal. MAX over the proposals joined to their sessions read
    # all of them: 0.26 s at a million on PostgreSQL, 50 ms at 100,000 on SQLite, paid by
    # the first visitor after every write.
    proposals = Proposal.objects.visible()
    newest = proposals.order_by("-updated_at").values("updated_at")[:1]
    held = Exists(proposals.filter(session_id=OuterRef("year")))
    found = AnnualSession.objects.aggregate(
        updated=Max(Subquery(newest)),
        year=Max("year", filter=Q(in_progress=False) & Q(held)),
    )
    return {"year": found["year"], "updated": found["updated"]}


def overview() -> list[dict[str, Any]]:
    """Every shown session's figures: priorities, proposals, proposals echoing one."""
    return cached("echo.overview", (), _overview)


def _overview() -> list[dict[str, Any]]:
    years = AnnualSession.objects.visible().order_by("year").values_list("year", flat=True)
    found = []
    for year in list(years):
        data = session_echo(year)
        found.append(
            {
                "session": year,
                "in_progress": data["in_progress"],
                "priorities": len(data["priorities"]),
                "proposals": data["proposals"],
                "echoing": data["echoing"],
            }
        )
    return found
