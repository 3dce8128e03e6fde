"""How many proposals of each session and body have a known outcome: counted from
TrendCount (which holds the derived status as a dimension), one query, cached under
the data version. Returns numbers; public/charts.py words them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Sum

from core.cache import cached
from delegates.models import Body
from proposals.models import Status, TrendCount

# Stacked from the bottom: "not known" first, so that the largest part is the base
# every bar stands on and cannot be overlooked.
STATUS_ORDER: tuple[str, ...] = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.ANSWERED,
    Status.PARTIAL,
    Status.ADOPTED,
    Status.WITHDRAWN,
)


def outcome_counts() -> dict[str, Any]:
    """{"years": [...], "bodies": [...], "counts": {body: {status: [n per year]}},
    "totals": {body: [n per year]}, "known": {body: [n per year]}} over visible
    proposals."""
    return cached("outcome-counts", (), _count)


def _count() -> dict[str, Any]:
    rows = (
        TrendCount.objects.visible()
        .on_topic(None)
        .order_by()
        .values_list("year", "body", "status")
        .annotate(n=Sum("proposals"))
    )
    by_cell: dict[tuple[int, str, str], int] = defaultdict(int)
    years: set[int] = set()
    for year, body, status, n in rows:
        if n:
            by_cell[(year, body, status)] += n
            years.add(year)
    ordered = sorted(years)
    bodies = list(Body.values)
    counts = {
        body: {s: [by_cell[(y, body, s)] for y in ordered] for s in STATUS_ORDER} for body in bodies
    }
    totals = {
        body: [sum(counts[body][s][i] for s in STATUS_ORDER) for i in range(len(ordered))]
        for body in bodies
    }
    known = {
        body: [totals[body][i] - counts[body][Status.SUBMITTED][i] for i in range(len(ordered))]
        for body in bodies
    }
    return {"years": ordered, "bodies": bodies, "counts": counts, "totals": totals, "known": known}
