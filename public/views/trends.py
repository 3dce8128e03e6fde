"""The trend explorer and the numbers behind every chart. Numbers come from
stats.trends; these views only validate, pick and render."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.cache import CACHE_SECONDS, cache_key
from core.errors import FieldError, data_400
from proposals import selectors
from proposals.params import unknown_record
from stats import trends
from stats.counting import UnknownFilter
from stats.params import TrendForm, trend_form
from stats.shaping import Trend
from topics.tree import topic_tree

from .. import charts


def _trend_or_errors(form: TrendForm) -> tuple[Trend | None, list[FieldError]]:
    problems = form.errors_list()
    if problems:
        return None, problems
    try:
        return trends.topic_trend(form.params()), []
    except UnknownFilter as exc:
        return None, [FieldError(exc.name, unknown_record(exc.name, exc.slug))]


@require_safe
def trends_explorer(request: HttpRequest) -> HttpResponse:
    """Pick topics, measure, body and years; the URL holds the choice."""
    form = trend_form(request.GET, explorer=True)
    trend, problems = _trend_or_errors(form)
    tree = topic_tree()
    selected = list(dict.fromkeys(form["topic"].value() or ()))
    choices = selectors.people_choices()
    # The slugs as given: a picker keeps one it does not list (past its limit, or
    # unknown and reported), so that Show does not drop it.
    picked = {name: next(iter(form[name].value() or []), "") for name in ("delegate", "company")}
    names = {c["slug"]: c["name"] for kind in ("delegate", "company") for c in choices[kind]}
    chart = None
    if trend is not None:
        chart = charts.chart_context(
            trend,
            id="trend",
            title=charts.explorer_title(trend.params, trend.years, names),
            kind=form.cleaned_data["chart"] or "line",
        )
    return render(
        request,
        "public/explorer.html",
        {
            "form": form,
            "chart": chart,
            "problems": problems,
            "invalid": {p.field for p in problems},
            "roots": tree.roots,
            "selected": selected,
            "chosen": [tree.by_slug[s] for s in selected if s in tree.by_slug],
            "choices": _with_picked(choices, picked),
            "picked": picked,
            "definitions": charts.DEFINITIONS,
        },
        status=400 if problems else 200,
    )


def _with_picked(
    choices: dict[str, list[dict[str, str]]], picked: dict[str, str]
) -> dict[str, list[dict[str, str]]]:
    result = {}
    for kind, options in choices.items():
        slug = picked.get(kind)
        known = not slug or any(o["slug"] == slug for o in options)
        result[kind] = options if known else [{"slug": slug, "name": slug}, *options]
    return result


@require_safe
def trends_json(request: HttpRequest) -> HttpResponse:
    """The numbers behind every chart (see stats/shaping.py for the definitions)."""
    return _trend_data(request, "json")


@require_safe
def trends_csv(request: HttpRequest) -> HttpResponse:
    """The same numbers as /trends/topics.json, both measures, one row per topic-year."""
    return _trend_data(request, "csv")


_CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _trend_data(request: HttpRequest, fmt: str) -> HttpResponse:
    # A hit is served from the raw query string alone: no validation, no query.
    key = cache_key(f"response.{fmt}", sorted(request.GET.lists()))
    body = cache.get(key)
    if body is None:
        trend, problems = _trend_or_errors(trend_form(request.GET))
        if trend is None:
            return data_400(problems)
        body = (
            json.dumps(trend.payload(), cls=DjangoJSONEncoder, allow_nan=False)
            if fmt == "json"
            else trend.csv()
        ).encode()
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    if fmt == "csv":
        response["Content-Disposition"] = 'attachment; filename="topic-trends.csv"'
    return response
