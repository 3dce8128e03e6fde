"""Topic trends: how many proposals each topic drew, session by session, and the
dashboard's figures. The one place trend numbers are asked for: counting in the
database (counting.py), shaping with pandas (shaping.py), results cached under the
data version (core.cache), so an edit shows on the next page load. Returns data;
public/charts.py words it.
"""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from django.db.models import Sum

from core.cache import cached
from delegates.models import AnnualSession, Body
from proposals.models import TrendCount
from proposals.selectors import headline_counts
from topics.tree import topic_tree

from .counting import Row, aggregate_rows, scoped_rows
from .params import TrendParams
from .shaping import Trend, build_trend, candidates_for, movers


def topic_trend(params: TrendParams) -> Trend:
    """The trend `params` ask for. Cached; at most two queries when not (the topic
    tree, then one counting query). Raises UnknownFilter for a delegate or
    company that does not exist or is hidden."""
    return cached("trend", astuple(params), lambda: _compute_trend(params))


def _compute_trend(params: TrendParams) -> Trend:
    tree = topic_tree()
    candidates, _ = candidates_for(params, tree)
    if params.filtered_by_person:
        if params.topics:
            child_ids = [t.id for t in candidates if not t.is_root]
            root_ids = [t.id for t in candidates if t.is_root]
        else:
            child_ids, root_ids = [], None
        rows = scoped_rows(params, child_ids, root_ids)
    else:
        rows = aggregate_rows(params, [t.id for t in candidates])
    return build_trend(params, rows, tree)


def dashboard() -> dict[str, Any]:
    """Everything the home page shows but its newest proposals. Cached; cold, it costs
    the five headline counts, the topic tree, the sessions in progress and one
    TrendCount query."""
    return cached("dashboard", (), _build_dashboard)


def _build_dashboard() -> dict[str, Any]:
    tree = topic_tree()
    # A session still being entered is charted (labelled) but never compared: with a
    # few rows in, every topic would seem to collapse (issue 12).
    in_progress = set(
        AnnualSession.objects.visible().filter(in_progress=True).values_list("year", flat=True)
    )
    by_body = list(
        TrendCount.objects.visible()
        .order_by()
        .values("year", "body", "topic_id")
        .annotate(n=Sum("proposals"))
        .values_list("year", "body", "topic_id", "n")
    )

    def rows(body: str = "") -> list[Row]:
        # Both bodies: _shape sums the two rows of each (year, topic).
        return [(year, topic, n) for year, b, topic, n in by_body if not body or b == body]

    everything = rows()
    overall = build_trend(TrendParams(), everything, tree)
    # The bodies are compared on the same topics, in the same colours.
    top = tuple(s.topic for s in overall.series)
    by_body = [
        (
            Body(body),
            build_trend(TrendParams(topics=top, measure="share", body=body), rows(body), tree),
        )
        for body in Body.values
    ]
    return {
        "counts": headline_counts(),
        "overall": overall,
        "by_body": by_body if top else [],
        "movers": movers([row for row in everything if row[0] not in in_progress], tree),
        "in_progress": sorted(in_progress),
    }
