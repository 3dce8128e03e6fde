"""What charts say and link to: titles, captions, the definitions shown beside every
chart, and the context templates/includes/chart.html draws from a Trend. The one
place chart text is worded, through gettext, so the Chinese interface has one place
to translate."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from delegates.models import Body
from stats.params import TrendParams
from stats.shaping import Trend

# Point shapes per series, so that colour is not the only way to tell lines apart;
# static/js/trend-chart.js uses the same list in the same order.
MARKERS = ("circle", "rect", "triangle", "rectRot", "star", "crossRot")

# Shown beside every chart: what the numbers count (see stats/shaping.py).
DEFINITIONS = (
    gettext_lazy(
        "A proposal with several topics counts once in each, so topics can add up to more "
        "than the proposals filed."
    ),
    gettext_lazy("A top-level topic counts a proposal once, however many of its sub-topics apply."),
    gettext_lazy(
        "Share is the proposals on a topic in a year divided by all proposals that year, "
        "both counted under the same filters (body, delegate, company)."
    ),
    gettext_lazy(
        "A topic absent from a year that has proposals counts 0. A year with no proposals at "
        "all under the filters is a gap in the line, never 0 or 0%."
    ),
    gettext_lazy(
        "Without chosen topics, a chart shows the eight top-level topics with most proposals "
        "in its years."
    ),
)


def list_url(*, topic: str, year: int, scope: str = "") -> str:
    """The proposal list filtered to one point of a chart."""
    query = urlencode([("topic", topic), ("year", year)])
    base = reverse("public:proposal-list")
    return f"{base}?{query}&{scope}" if scope else f"{base}?{query}"


def _cell(value: int | float | None, measure: str) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}%" if measure == "share" else str(value)


def on_years(trend: Trend, years: list[int]) -> Trend:
    """The trend on a given year axis (a superset of its own years): a year it lacks
    is a gap, so two charts drawn side by side share one axis."""
    if years == trend.years:
        return trend
    at = {year: i for i, year in enumerate(trend.years)}

    def pad(values: list[Any]) -> list[Any]:
        return [values[at[y]] if y in at else None for y in years]

    series = [
        replace(
            s,
            counts=pad(s.counts),
            shares=pad(s.shares),
            changes=pad(s.changes),
            ranks=pad(s.ranks),
        )
        for s in trend.series
    ]
    return replace(trend, years=list(years), totals=pad(trend.totals), series=series)


def stacked_shares(trend: Trend) -> list[list[float | None]]:
    """Each series' part of the shown series' counts each year: stacked, they add up
    to 100% (topic shares of all proposals do not, a proposal having several topics)."""
    sums = [sum(s.counts[i] or 0 for s in trend.series) for i in range(len(trend.years))]
    return [
        [
            None if s.counts[i] is None else (s.counts[i] or 0) / sums[i] if sums[i] else 0.0
            for i in range(len(trend.years))
        ]
        for s in trend.series
    ]


def chart_context(
    trend: Trend, *, id: str, title: str, kind: str = "line", years: list[int] | None = None
) -> dict[str, Any]:
    """What templates/includes/chart.html draws: the JSON payload (for json_script),
    the data table, and the CSV, JSON, explorer and proposal-list links. No queries.

    `kind` is "line" or "area" (stacked); a trend of one year is drawn as bars.
    `years` puts it on a shared axis. The payload carries each year's total (what a
    share is of) and, stacked, the shares that add up to 100%.
    """
    if years is not None:
        trend = on_years(trend, years)
    params = trend.params
    measure = params.measure
    scope = params.list_query()
    rows = []
    for s in trend.series:
        cells = []
        for year, value, count in zip(trend.years, trend.values(s), s.counts, strict=True):
            cells.append(
                {
                    "text": _cell(value, measure),
                    "gap": value is None,
                    "href": list_url(topic=s.topic, year=year, scope=scope) if count else "",
                }
            )
        rows.append(
            {
                "topic": s.topic,
                "name": s.name,
                "parent": s.parent,
                "color": s.color,
                "marker": MARKERS[len(rows) % len(MARKERS)],
                "cells": cells,
            }
        )
    query = params.query()
    data = {**trend.payload(), "totals": trend.totals}
    drawn = "bar" if len(trend.years) == 1 else kind
    if drawn == "area" and measure == "share":
        data["stacked"] = stacked_shares(trend)
    return {
        "id": id,
        "data_id": f"{id}-data",
        "title": title,
        "kind": drawn,
        "measure": measure,
        "data": data,
        "years": trend.years,
        "totals": [_cell(total, "count") for total in trend.totals],
        "rows": rows,
        "json_url": f"{reverse('public:trends-json')}?{query}".rstrip("?"),
        "csv_url": f"{reverse('public:trends-csv')}?{query}".rstrip("?"),
        "explore_url": f"{reverse('public:trends')}?{query}".rstrip("?"),
        "list_url": reverse("public:proposal-list"),
        "list_query": scope,
    }


def with_in_progress(title: str, in_progress: list[int], years: list[int]) -> str:
    """A chart title saying which of its sessions are still being entered, and that the
    data is press-derived."""
    shown = [year for year in in_progress if year in years]
    if not shown:
        return title
    return gettext("%(title)s (%(years)s in progress: still being entered)") % {
        "title": title,
        "years": ", ".join(str(y) for y in shown),
    }


def year_span(years: list[int]) -> str:
    """“2013–2025”, or one year, or nothing."""
    return "–".join(str(year) for year in dict.fromkeys(years[:1] + years[-1:]))


def overall_title(years: list[int]) -> str:
    span = year_span(years)
    if not span:
        return gettext("Proposals on the eight biggest topics")
    return gettext("Proposals on the eight biggest topics, %(span)s") % {"span": span}


BODY_SHARE_TITLES = {
    Body.NPC: gettext_lazy("NPC: share of each session's suggestions"),
    Body.CPPCC: gettext_lazy("CPPCC: share of each session's proposals"),
}


def explorer_title(
    params: TrendParams, years: list[int], names: dict[str, str] | None = None
) -> str:
    """The explorer chart's title, from what it was asked for; `names` gives the
    delegate's and company's names by slug (a slug without one is shown as it is)."""
    names = names or {}
    parts = {
        ("share", True): gettext_lazy("Share of proposals on the chosen topics"),
        ("share", False): gettext_lazy("Share of proposals on the eight biggest topics"),
        ("count", True): gettext_lazy("Proposals on the chosen topics"),
        ("count", False): gettext_lazy("Proposals on the eight biggest topics"),
    }
    title = str(parts[(params.measure, bool(params.topics))])
    if params.body:
        title += " " + (
            gettext("in the NPC") if params.body == Body.NPC else gettext("in the CPPCC")
        )
    if params.delegate:
        name = names.get(params.delegate, params.delegate)
        title += " " + gettext("by %(name)s") % {"name": name}
    if params.company:
        name = names.get(params.company, params.company)
        title += " " + gettext("by people at %(name)s") % {"name": name}
    if len(years) == 1:
        return gettext("%(title)s, in %(year)s") % {"title": title, "year": years[0]}
    return gettext("%(title)s, by year") % {"title": title}


def movers_context(movers: dict[str, Any] | None) -> dict[str, Any] | None:
    """The movers table's data, each topic with its link into the list."""
    if movers is None:
        return None
    year = movers["after_year"]
    return {
        **movers,
        **{
            side: [{**row, "href": list_url(topic=row["topic"], year=year)} for row in movers[side]]
            for side in ("rose", "fell")
        },
    }


# --- The outcomes chart (issue 13) -------------------------------------------------------

OUTCOME_COLORS = {
    "submitted": "#c7c7c7",
    "accepted": "#9edae5",
    "answered": "#1f77b4",
    "partial": "#98df8a",
    "adopted": "#2ca02c",
    "withdrawn": "#7f7f7f",
}
OUTCOME_LABELS = {
    "submitted": gettext_lazy("Not known"),
    "accepted": gettext_lazy("Registered or assigned"),
    "answered": gettext_lazy("Replied"),
    "partial": gettext_lazy("Partly adopted"),
    "adopted": gettext_lazy("Adopted"),
    "withdrawn": gettext_lazy("Withdrawn"),
}


def outcome_chart_context(counts: dict[str, Any]) -> dict[str, Any]:
    """The outcomes chart's payload (for json_script and the JSON endpoint) and its
    table: per session, one stacked bar per body, "not known" at the base."""
    bodies = {Body.NPC: gettext("NPC"), Body.CPPCC: gettext("CPPCC")}
    datasets = []
    for body in counts["bodies"]:
        for status, values in counts["counts"][body].items():
            datasets.append(
                {
                    "label": str(OUTCOME_LABELS[status]),
                    "body_label": bodies[body],
                    "status": status,
                    "body": body,
                    "stack": body,
                    "color": OUTCOME_COLORS[status],
                    "values": values,
                }
            )
    table = []
    for i, year in enumerate(counts["years"]):
        for body in counts["bodies"]:
            total = counts["totals"][body][i]
            if not total:
                continue
            known = counts["known"][body][i]
            table.append(
                {
                    "year": year,
                    "body": bodies[body],
                    "body_code": body,
                    "total": total,
                    "known": known,
                    "unknown": total - known,
                    "known_share": f"{known / total * 100:.0f}%",
                }
            )
    return {
        "id": "outcome-chart",
        "data_id": "outcome-chart-data",
        "title": gettext("What became of each session's proposals, as far as sources report"),
        "data": {
            "years": counts["years"],
            "datasets": datasets,
            "y_label": gettext("Proposals"),
            "bar_hint": gettext("Left bar NPC, right bar CPPCC"),
        },
        "table": table,
        "json_url": reverse("public:outcomes-json"),
        "list_url": reverse("public:proposal-list"),
    }
