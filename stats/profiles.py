"""Topic profiles: how many of one delegate's or company's proposals fall under each
top-level topic in each year. What the record pages' heatmaps and the compare page
draw. Counted in the database as (proposal, year, topic) rows of one person, folded
here onto the cached topic tree; a top-level topic counts a proposal once however
many of its sub-topics apply. Returns numbers and names; templates word them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from proposals.models import Proposal
from topics.tree import TopicNode, topic_tree

# Shades of a heatmap cell: 0 is none, 1 to HEAT_LEVELS the share of the busiest cell.
HEAT_LEVELS = 5


@dataclass
class Profile:
    """One delegate's or company's proposals per (top-level topic, year)."""

    kind: str  # "delegate" or "company": the list parameter that selects it
    slug: str
    name: str
    name_zh: str
    total: int = 0
    per_year: dict[int, int] = field(default_factory=dict)
    # {root topic id: {year: proposals}}
    cells: dict[int, dict[int, int]] = field(default_factory=dict)

    def on_topic(self, root_id: int) -> int:
        return sum(self.cells.get(root_id, {}).values())


def profile(record: Any, kind: str) -> Profile:
    """The topic profile of a Delegate (`kind` "delegate") or Company ("company"): one
    query over that record's visible proposals and their topics."""
    proposals = Proposal.objects.visible()
    proposals = (
        proposals.by_delegates([record]) if kind == "delegate" else proposals.at_companies([record])
    )
    by_id = topic_tree().by_id
    result = Profile(kind, record.slug, record.name, getattr(record, "name_zh", "") or "")
    seen: set[int] = set()
    counted: set[tuple[int, int]] = set()
    years: dict[int, int] = defaultdict(int)
    cells: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    # A LEFT JOIN: a proposal without topics still counts in its year's total.
    for pk, year, topic_id in proposals.order_by().values_list("pk", "session_id", "topics"):
        if pk not in seen:
            seen.add(pk)
            years[year] += 1
        node = by_id.get(topic_id) if topic_id is not None else None
        if node is None:
            continue
        root = node.parent_id or node.id
        if (pk, root) not in counted:
            counted.add((pk, root))
            cells[root][year] += 1
    result.total = len(seen)
    result.per_year = dict(years)
    result.cells = {root: dict(row) for root, row in cells.items()}
    return result


@dataclass
class HeatCell:
    year: int
    count: int
    level: int  # 0 (none) to HEAT_LEVELS


@dataclass
class HeatRow:
    topic: TopicNode
    total: int
    cells: list[HeatCell]


@dataclass
class Heatmap:
    """A profile as a topic × year grid on given years and topics, each cell shaded
    against `peak` (shared by the heatmaps compared side by side)."""

    profile: Profile
    years: list[int]
    rows: list[HeatRow]
    totals: list[int]


def level(count: int, peak: int) -> int:
    """The shade of a cell: 0 for none, else 1 to HEAT_LEVELS by its share of `peak`."""
    if count <= 0 or peak <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, -(-count * HEAT_LEVELS // peak)))


def span(profiles: list[Profile]) -> list[int]:
    """Every year from the first to the last in which any of the profiles filed."""
    years = [y for p in profiles for y in p.per_year]
    return list(range(min(years), max(years) + 1)) if years else []


def topics_of(profiles: list[Profile]) -> list[TopicNode]:
    """The top-level topics any of the profiles touches, busiest first overall."""
    totals: dict[int, int] = defaultdict(int)
    for p in profiles:
        for root in p.cells:
            totals[root] += p.on_topic(root)
    by_id = topic_tree().by_id
    return [by_id[r] for r in sorted(totals, key=lambda r: (-totals[r], by_id[r].name))]


def heatmaps(profiles: list[Profile]) -> list[Heatmap]:
    """The profiles as heatmaps on one set of years and topics and one scale, so that
    the same shade means the same number in each."""
    years, topics = span(profiles), topics_of(profiles)
    peak = max((n for p in profiles for row in p.cells.values() for n in row.values()), default=0)
    return [
        Heatmap(
            p,
            years,
            [
                HeatRow(
                    t,
                    p.on_topic(t.id),
                    [
                        HeatCell(y, n := p.cells.get(t.id, {}).get(y, 0), level(n, peak))
                        for y in years
                    ],
                )
                for t in topics
            ],
            [p.per_year.get(y, 0) for y in years],
        )
        for p in profiles
    ]


@dataclass
class TopicRow:
    topic: TopicNode
    counts: list[tuple[Profile, int]]  # each profile with its proposals on the topic
    shared: bool  # every profile raised it


@dataclass
class Comparison:
    """Profiles side by side: every top-level topic any of them touches with each one's
    count, which all share and which only one raised, and their heatmaps."""

    profiles: list[Profile]
    rows: list[TopicRow]
    shared: list[TopicNode]
    only: list[tuple[Profile, list[TopicNode]]]  # topics only that profile raised
    heatmaps: list[Heatmap]


def compare(profiles: list[Profile]) -> Comparison:
    rows = [
        TopicRow(t, counts := [(p, p.on_topic(t.id)) for p in profiles], all(n for _, n in counts))
        for t in topics_of(profiles)
    ]
    only = [
        (p, [r.topic for r in rows if [bool(n) for _, n in r.counts] == [o is p for o in profiles]])
        for p in profiles
    ]
    return Comparison(profiles, rows, [r.topic for r in rows if r.shared], only, heatmaps(profiles))
