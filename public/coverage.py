"""How partial the data is: the totals sources report for a delegate's filings, beside
what the tracker holds. From fixtures/README.md, "Delegate facts found, with sources";
only totals a cited page states. A small table in code: it changes when the README's
facts do, and pages read it without a query."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ReportedTotal:
    """A source's count of a delegate's filings up to and including `by_year`."""

    delegate: str  # slug
    by_year: int
    total: int
    qualifier: str  # a key of QUALIFIERS, or "" for an exact total
    source: str


QUALIFIERS = {
    "about": _("about %(n)s"),
    "more than": _("more than %(n)s"),
    "nearly": _("nearly %(n)s"),
}

REPORTED_TOTALS = (
    ReportedTotal("pony-ma", 2020, 40, "more than", "163.com/money FCU82RTH00259DLP"),
    ReportedTotal("pony-ma", 2022, 60, "nearly", "figurehistory.com/ma_hua_teng/806.html"),
    ReportedTotal("dong-mingzhu", 2022, 90, "about", "NBD via ship-bio.com"),
    ReportedTotal("zhang-jindong", 2015, 60, "more than", "zhpeinuo.com"),
    ReportedTotal("zhang-jindong", 2020, 80, "more than", "Securities Daily 2020-05-20"),
    ReportedTotal("zhou-yunjie", 2022, 34, "", "hea.jdgod.com 2022 (suggestions and motions)"),
    ReportedTotal("li-shufu", 2017, 35, "", "economy.china.com (public proposals)"),
)


def reported_for(slug: str) -> list[ReportedTotal]:
    return [r for r in REPORTED_TOTALS if r.delegate == slug]


def coverage_rows(
    slug: str, held_by_year: dict[int, int], totals: list[ReportedTotal] | None = None
) -> list[dict[str, object]]:
    """Per reported total: what a source says, and how many proposals of those years
    the tracker holds."""
    return [
        {
            "by_year": r.by_year,
            "reported": QUALIFIERS[r.qualifier] % {"n": r.total} if r.qualifier else r.total,
            "held": sum(n for year, n in held_by_year.items() if year <= r.by_year),
            "source": r.source,
        }
        for r in (reported_for(slug) if totals is None else totals)
    ]
