from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.cache import cache_public_page
from proposals.models import Proposal
from stats import trends

from .. import charts, echo


@require_safe
@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: headline numbers, topic trends, movers, NPC against CPPCC."""
    board = trends.dashboard()
    overall = board["overall"]
    return render(
        request,
        "public/home.html",
        {
            "counts": board["counts"],
            "trend_chart": charts.chart_context(
                overall,
                id="trend-all",
                title=charts.with_in_progress(
                    charts.overall_title(overall.years), board["in_progress"], overall.years
                ),
            ),
            # One year axis for both bodies, so a year sits at the same place in each.
            "body_charts": [
                charts.chart_context(
                    trend,
                    id=f"trend-{body.value}",
                    title=charts.BODY_SHARE_TITLES[body],
                    years=sorted({y for _, t in board["by_body"] for y in t.years}),
                )
                for body, trend in board["by_body"]
            ],
            "movers": charts.movers_context(board["movers"]),
            "definitions": charts.DEFINITIONS,
            "newest": Proposal.objects.visible().for_list().newest_first()[:10],
            "in_progress_years": board["in_progress"],
            **echo.dashboard_context(),
        },
    )
