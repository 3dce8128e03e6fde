from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import trends
from .models import Proposal


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: headline numbers, topic trends, movers, NPC against CPPCC."""
    board = trends.dashboard()
    overall = board["overall"]
    span = "–".join(str(year) for year in dict.fromkeys(overall.years[:1] + overall.years[-1:]))
    return render(
        request,
        "core/home.html",
        {
            "counts": board["counts"],
            "trend_chart": trends.chart_context(
                overall,
                id="trend-all",
                title=f"Proposals on the eight biggest topics, {span}".rstrip(", "),
            ),
            "body_charts": [
                trends.chart_context(
                    trend,
                    id=f"trend-{body.value}",
                    title=f"{body.label}: share of each session's {body.filing_noun}s",
                )
                for body, trend in board["by_body"]
            ],
            "movers": board["movers"],
            "definitions": trends.DEFINITIONS,
            "newest": Proposal.objects.visible().for_list().newest_first()[:10],
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness only: touches no database, so it measures the server itself."""
    return HttpResponse("ok\n", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on every page, the admin's included. The hashed
    name is looked up per request: at import time the manifest may not exist yet."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# --- Dashboard and trends (issue 4) ---------------------------------------------------
# Numbers come from proposals.trends; these views only validate, pick and render.


@require_safe
def trends_explorer(request: HttpRequest) -> HttpResponse:
    """Pick topics, measure, body and years; the URL holds the choice."""
    form = trends.trend_form(request.GET, explorer=True)
    problems = form.errors_by_field()
    catalogue = trends.catalogue()
    selected = list(dict.fromkeys(form["topic"].value() or ()))
    chart = None
    if not problems:
        params = form.params()
        try:
            trend = trends.topic_trend(params)
        except trends.UnknownFilter as exc:
            problems = {exc.name: [exc.message]}
        else:
            chart = trends.chart_context(
                trend,
                id="trend",
                title=_explorer_title(params, trend.years),
                kind=form.cleaned_data["chart"] or "line",
            )
    return render(
        request,
        "trends/explorer.html",
        {
            "form": form,
            "chart": chart,
            "problems": problems,
            "groups": catalogue.groups(),
            "selected": selected,
            "chosen": [catalogue.by_slug[s].name for s in selected if s in catalogue.by_slug],
            "definitions": trends.DEFINITIONS,
        },
        status=400 if problems else 200,
    )


def _explorer_title(params: trends.TrendParams, years: list[int]) -> str:
    what = "Share of proposals" if params.measure == "share" else "Proposals"
    topics = "the chosen topics" if params.topics else "the eight biggest topics"
    scope = {"npc": " in the NPC", "cppcc": " in the CPPCC"}.get(params.body, "")
    for name in ("delegate", "company"):
        if getattr(params, name):
            scope += f" ({name} {getattr(params, name)})"
    when = f"in {years[0]}" if len(years) == 1 else "by year"
    return f"{what} on {topics}{scope}, {when}"


@require_safe
def trends_json(request: HttpRequest) -> HttpResponse:
    """The numbers behind every chart (see proposals/trends.py for the definitions)."""
    return _trend_data(request, "json")


@require_safe
def trends_csv(request: HttpRequest) -> HttpResponse:
    """The same numbers as /trends/topics.json, both measures, one row per topic-year."""
    return _trend_data(request, "csv")


_CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _trend_data(request: HttpRequest, fmt: str) -> HttpResponse:
    # A hit is served from the raw query string alone: no validation, no query.
    key = trends.cache_key(f"response.{fmt}", sorted(request.GET.lists()))
    body = cache.get(key)
    if body is None:
        form = trends.trend_form(request.GET)
        problems = form.errors_by_field()
        if not problems:
            try:
                trend = trends.topic_trend(form.params())
            except trends.UnknownFilter as exc:
                problems = {exc.name: [exc.message]}
        if problems:
            return _bad_request(problems)
        body = (
            json.dumps(trend.payload(), cls=DjangoJSONEncoder, allow_nan=False)
            if fmt == "json"
            else trend.csv()
        ).encode()
        cache.set(key, body, trends.CACHE_SECONDS)
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    if fmt == "csv":
        response["Content-Disposition"] = 'attachment; filename="topic-trends.csv"'
    return response


def _bad_request(problems: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"errors": problems}), content_type="application/json", status=400
    )
    return response
