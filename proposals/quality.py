"""Selectors for the editors' data-quality page: what needs curating, and where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations, groupby

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from topics.models import Topic

from .models import Proposal, ProposalTopic

DUPLICATE_RATIO = 0.9  # titles this similar (after normalising) are likely one proposal


@dataclass(frozen=True)
class SeatGap:
    delegate_id: int
    delegate_name: str
    year: int
    body: str
    proposals: int


@dataclass(frozen=True)
class LikelyDuplicate:
    first: Proposal
    second: Proposal
    similarity: float


def proposals_without_source(*, limit: int) -> tuple[int, list[Proposal]]:
    qs = Proposal.objects.without_source()
    return qs.count(), list(qs.select_related("delegate").newest_first()[:limit])


def proposals_without_topic(*, limit: int) -> tuple[int, list[Proposal]]:
    qs = Proposal.objects.without_topic()
    return qs.count(), list(qs.select_related("delegate").newest_first()[:limit])


def seat_gaps(*, limit: int) -> tuple[int, list[SeatGap]]:
    """(delegate, year, body) where the delegate filed proposals but held no such seat."""
    rows = (
        Proposal.objects.without_matching_seat()
        .values("delegate_id", "delegate__name", "session_id", "body")
        .annotate(n=Count("id"))
        .order_by("-session_id", "delegate__name", "body")
    )
    gaps = [
        SeatGap(r["delegate_id"], r["delegate__name"], r["session_id"], r["body"], r["n"])
        for r in rows
    ]
    return len(gaps), gaps[:limit]


def _normalise(title: str) -> str:
    return re.sub(r"[\W_]+", " ", title.casefold()).strip()


def likely_duplicates(*, limit: int, ratio: float = DUPLICATE_RATIO) -> tuple[int, list]:
    """Pairs of proposals by the same delegate in the same year with near-identical
    titles. Titles are compared only within a (delegate, year) group, which stays small
    however many proposals there are, so this is linear in the table, not quadratic."""
    titles = (
        Proposal.objects.order_by("delegate_id", "session_id", "pk")
        .values_list("pk", "delegate_id", "session_id", "title")
        .iterator(chunk_size=5000)
    )
    pairs: list[tuple[int, int, float]] = []
    for _, group in groupby(titles, key=lambda row: (row[1], row[2])):
        items = [(pk, _normalise(title)) for pk, _, _, title in group]
        for (pk_a, a), (pk_b, b) in combinations(items, 2):
            if a == b:
                pairs.append((pk_a, pk_b, 1.0))
                continue
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            if matcher.real_quick_ratio() >= ratio and matcher.quick_ratio() >= ratio:
                similarity = matcher.ratio()
                if similarity >= ratio:
                    pairs.append((pk_a, pk_b, similarity))
    pairs.sort(key=lambda p: -p[2])
    shown = pairs[:limit]
    by_pk = Proposal.objects.select_related("delegate").in_bulk(
        {pk for a, b, _ in shown for pk in (a, b)}
    )
    return len(pairs), [LikelyDuplicate(by_pk[a], by_pk[b], s) for a, b, s in shown]


def unused_topics() -> QuerySet[Topic]:
    """Topics no proposal carries, neither directly nor through a sub-topic."""
    used = ProposalTopic.objects.filter(Q(topic=OuterRef("pk")) | Q(topic__parent=OuterRef("pk")))
    return Topic.objects.filter(~Exists(used)).select_related("parent").order_by("name")


def data_quality(*, limit: int = 50) -> dict[str, tuple[int, list]]:
    """Every check on the data-quality page: (how many, the first `limit`)."""
    unused = list(unused_topics())
    return {
        "without_source": proposals_without_source(limit=limit),
        "without_topic": proposals_without_topic(limit=limit),
        "seat_gaps": seat_gaps(limit=limit),
        "duplicates": likely_duplicates(limit=limit),
        "unused_topics": (len(unused), unused[:limit]),
    }
