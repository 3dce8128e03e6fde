"""Shaping counted rows with pandas: years filled in, gaps, share of the year, change
on the year before, rank; and the movers between the last two sessions. Callers get
plain lists and dicts (no numpy scalars, no NaN). The definitions, which
public/charts.py words for readers beside every chart:

- a proposal with several topics counts once in each;
- a top-level topic counts a proposal once, however many of its sub-topics apply;
- share = proposals on the topic that year / all proposals that year, both counted
  under the same filters;
- a topic absent from a year that has proposals is 0; a year with no proposals at all
  (under the filters) is a gap: null, never 0 or 0 %.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from proposals.interchange import neutralise
from topics.tree import TopicNode, TopicTree

from .counting import Row
from .params import TrendParams

TOP_N = 8
SHARE_DECIMALS = 4


@dataclass
class Series:
    topic: str
    name: str
    color: str
    parent: str
    counts: list[int | None]
    shares: list[float | None]
    changes: list[int | None]
    ranks: list[int | None]


@dataclass
class Trend:
    """A trend ready to draw: years on the axis, all proposals per year (None for a
    gap), and one series per topic."""

    params: TrendParams
    years: list[int]
    totals: list[int | None]
    series: list[Series]

    def values(self, series: Series) -> list[int | float | None]:
        return series.shares if self.params.measure == "share" else series.counts

    def payload(self) -> dict[str, Any]:
        """What /trends/topics.json answers."""
        return {
            "measure": self.params.measure,
            "years": self.years,
            "series": [
                {"topic": s.topic, "name": s.name, "color": s.color, "values": self.values(s)}
                for s in self.series
            ],
        }

    def csv(self) -> str:
        """Both measures, one row per topic and year, for /trends/topics.csv."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["year", "topic", "name", "parent", "count", "share", "year_total", "change", "rank"]
        )
        for s in self.series:
            for i, year in enumerate(self.years):
                writer.writerow(
                    [
                        year,
                        s.topic,
                        neutralise(s.name),
                        neutralise(s.parent),
                        *(
                            "" if v is None else v
                            for v in (s.counts[i], s.shares[i], self.totals[i] or 0)
                        ),
                        *("" if v is None else v for v in (s.changes[i], s.ranks[i])),
                    ]
                )
        return out.getvalue()


def _plain(frame: pd.DataFrame | pd.Series, digits: int | None = None) -> list:
    """JSON-ready Python numbers, None for NaN (a gap): never numpy scalars or NaN."""
    values = frame.to_numpy(dtype="float64", na_value=np.nan)
    if digits is not None:
        values = np.round(values, digits)
    cast = float if digits is not None else int
    return [[None if v != v else cast(v) for v in row] for row in values.reshape(len(frame), -1)]


def _shape(
    rows: Iterable[Row], candidates: list[TopicNode], top_n: int | None
) -> tuple[list[int], list[int | None], list[Series]]:
    # pandas is kept to whole-frame operations: per-row pandas calls would cost more
    # than the query that fetched the rows.
    totals_rows: list[Row] = []
    topic_rows: list[Row] = []
    for row in rows:
        (totals_rows if row[1] is None else topic_rows).append(row)
    totals = pd.DataFrame(totals_rows, columns=["year", "topic", "n"]).groupby("year")["n"].sum()
    totals = totals[totals > 0]
    if totals.empty:
        return [], [], []
    # The axis runs from the first to the last year with proposals; a year inside
    # without any stays on it as a gap rather than silently closing up.
    years = pd.RangeIndex(int(totals.index.min()), int(totals.index.max()) + 1, name="year")
    totals = totals.reindex(years).astype("float64")
    # groupby + unstack, not pivot_table: the same table at a quarter of the time,
    # which matters on an uncached request.
    per_cell = pd.DataFrame(topic_rows, columns=["year", "topic", "n"]).groupby(["topic", "year"])
    table = per_cell["n"].sum().unstack()  # noqa: PD010
    counts = (
        table.reindex(index=[t.id for t in candidates], columns=years, fill_value=0)
        .fillna(0)
        .astype("float64")
    )
    if top_n is not None:
        ranking = pd.DataFrame(
            {"total": counts.sum(axis=1), "name": [t.name.lower() for t in candidates]},
            index=counts.index,
        ).sort_values(["total", "name"], ascending=[False, True])
        counts = counts.loc[ranking.index[ranking["total"] > 0][:top_n]]
    counts.loc[:, totals.isna().to_numpy()] = np.nan
    shares = counts.div(totals, axis=1)
    changes = counts.diff(axis=1)
    # Rank 1 = most proposals that year among the charted topics; a topic without any
    # has no rank.
    ranks = counts.where(counts > 0).rank(axis=0, method="min", ascending=False)
    by_id = {t.id: t for t in candidates}
    series = [
        Series(
            topic=by_id[topic_id].slug,
            name=by_id[topic_id].name,
            color=by_id[topic_id].color,
            parent=by_id[topic_id].parent_name,
            counts=count_row,
            shares=share_row,
            changes=change_row,
            ranks=rank_row,
        )
        for topic_id, count_row, share_row, change_row, rank_row in zip(
            counts.index,
            _plain(counts),
            _plain(shares, SHARE_DECIMALS),
            _plain(changes),
            _plain(ranks),
            strict=True,
        )
    ]
    return list(years), [row[0] for row in _plain(totals)], series


def candidates_for(params: TrendParams, tree: TopicTree) -> tuple[list[TopicNode], int | None]:
    if params.topics:
        return [tree.by_slug[slug] for slug in params.topics], None
    return tree.roots, TOP_N


def build_trend(params: TrendParams, rows: Iterable[Row], tree: TopicTree) -> Trend:
    """Shape counted rows into a Trend (no queries)."""
    candidates, top_n = candidates_for(params, tree)
    years, totals, series = _shape(rows, candidates, top_n)
    return Trend(params, years, totals, series)


def movers(rows: Iterable[Row], tree: TopicTree, limit: int = 5) -> dict[str, Any] | None:
    """The sub-topics that gained and lost most proposals between the last two
    sessions with proposals (None with fewer than two). Only topics without
    sub-topics compete, so no proposal is counted twice in the list."""
    leaves = tree.leaves()
    years, totals, series = _shape(rows, leaves, None)
    known = [(year, total) for year, total in zip(years, totals, strict=True) if total]
    if len(known) < 2:
        return None
    (before_year, before_total), (after_year, after_total) = known[-2:]
    i, j = years.index(before_year), years.index(after_year)
    frame = pd.DataFrame(
        {
            "topic": [s.topic for s in series],
            "name": [s.name for s in series],
            "parent": [s.parent for s in series],
            "color": [s.color for s in series],
            "before": [s.counts[i] for s in series],
            "after": [s.counts[j] for s in series],
        }
    )
    frame["change"] = frame["after"] - frame["before"]
    frame["points"] = (frame["after"] / after_total - frame["before"] / before_total) * 100
    frame["rank"] = frame["after"].rank(method="min", ascending=False).astype("int64")
    frame["sort_name"] = frame["name"].str.lower()
    rose = frame.loc[frame["change"] > 0].sort_values(
        ["change", "after", "sort_name"], ascending=[False, False, True]
    )
    fell = frame.loc[frame["change"] < 0].sort_values(
        ["change", "before", "sort_name"], ascending=[True, False, True]
    )

    def listed(part: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "topic": row["topic"],
                "name": row["name"],
                "parent": row["parent"],
                "color": row["color"],
                "before": int(row["before"]),
                "after": int(row["after"]),
                "change": int(row["change"]),
                "points": round(float(row["points"]), 1),
                "rank": int(row["rank"]),
            }
            for row in part.head(limit).to_dict("records")
        ]

    return {
        "before_year": before_year,
        "after_year": after_year,
        "before_total": before_total,
        "after_total": after_total,
        "rose": listed(rose),
        "fell": listed(fell),
    }
