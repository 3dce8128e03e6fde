"""Pairs of proposals that may be the same ask filed again: same delegate, a later
year, a similar title and summary, and not yet linked. Only suggestions: an editor
confirms each link in the admin, nothing is linked here.

PostgreSQL scores the pairs with pg_trgm's similarity() (the extension comes with
migration 0005, on PostgreSQL only); SQLite, which has no trigrams, scores them in
Python with difflib over the same pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import F

from .models import Proposal

# A pair below this similarity is not worth an editor's look.
THRESHOLD = 0.35
LIMIT = 50
PREFILTER = 0.3  # titles less alike than this are not compared further


@dataclass(frozen=True)
class Candidate:
    earlier: Proposal
    later: Proposal
    score: float


def _text(title: str, summary: str) -> str:
    return f"{title} {summary[:300]}".casefold()


def _pg_pairs(limit: int) -> list[tuple[int, int, float]]:
    table = Proposal._meta.db_table
    # Titles weigh twice the summary's start: the ask is in the title.
    sql = f"""
        SELECT a.id, b.id,
               (2 * similarity(a.title, b.title)
                + similarity(left(a.summary, 300), left(b.summary, 300))) / 3 AS score
        FROM {table} a
        JOIN {table} b ON b.delegate_id = a.delegate_id AND b.session_id > a.session_id
        WHERE NOT a.is_generated AND NOT b.is_generated
          AND (b.repeats_id IS NULL)
          AND a.title %% b.title
        ORDER BY score DESC, b.id
        LIMIT %s
    """  # noqa: S608 (table name from the model, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit * 4])
        return [(a, b, float(s)) for a, b, s in cursor.fetchall()]


def _python_pairs(limit: int) -> list[tuple[int, int, float]]:
    rows = list(
        Proposal.objects.filter(is_generated=False)
        .order_by("delegate_id", "session_id", "pk")
        .values_list("pk", "delegate_id", "session_id", "title", "summary", "repeats_id")
    )
    by_delegate: dict[int, list[tuple]] = {}
    for row in rows:
        by_delegate.setdefault(row[1], []).append(row)
    pairs = []
    for group in by_delegate.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b[2] <= a[2] or b[5] is not None:
                    continue
                titles = SequenceMatcher(None, a[3].casefold(), b[3].casefold())
                # Titles must be alike first, as pg_trgm's `%` asks on PostgreSQL; the
                # cheap upper bounds skip most pairs before the full comparison.
                if titles.real_quick_ratio() < PREFILTER or titles.quick_ratio() < PREFILTER:
                    continue
                title = titles.ratio()
                if title < PREFILTER:
                    continue
                text = SequenceMatcher(None, _text(a[3], a[4]), _text(b[3], b[4])).ratio()
                pairs.append((a[0], b[0], (2 * title + text) / 3))
    pairs.sort(key=lambda p: (-p[2], p[1]))
    return pairs[: limit * 4]


def repeat_candidates(limit: int = LIMIT) -> list[Candidate]:
    """The likeliest unlinked pairs, best first: each later proposal appears once,
    with the earlier proposal it most resembles (two queries)."""
    pairs = _pg_pairs(limit) if connection.vendor == "postgresql" else _python_pairs(limit)
    best: dict[int, tuple[int, float]] = {}
    for earlier, later, score in pairs:
        if score >= THRESHOLD and later not in best:
            best[later] = (earlier, score)
    chosen = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))[:limit]
    ids = {pk for later, (earlier, _) in chosen for pk in (later, earlier)}
    proposals = Proposal.objects.select_related("delegate").annotate(year=F("session_id"))
    by_pk = proposals.in_bulk(ids)
    return [
        Candidate(by_pk[earlier], by_pk[later], round(score, 2))
        for later, (earlier, score) in chosen
    ]
