"""The echo data endpoints (/trends/echo.json and .csv) and the /about/ page. Figures
come from stats.echo; these views only validate, pick and render."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.cache import CACHE_SECONDS, cache_key, cache_public_page
from core.errors import FieldError, data_400
from stats.counting import UnknownFilter
from stats.echo_data import unknown_message
from stats.params import EchoForm

from .. import echo, site_facts

_CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


@require_safe
def echo_json(request: HttpRequest) -> HttpResponse:
    """How proposals echo the government's priorities (definitions in stats/echo.py)."""
    return _echo_data(request, "json")


@require_safe
def echo_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as /trends/echo.json, as rows."""
    return _echo_data(request, "csv")


def _echo_data(request: HttpRequest, fmt: str) -> HttpResponse:
    key = cache_key(f"echo-response.{fmt}", sorted(request.GET.lists()))
    body = cache.get(key)
    if body is None:
        form = EchoForm(request.GET)
        problems = form.errors_list()
        if problems:
            return data_400(problems)
        scope, value = form.scope()
        try:
            data = echo.payload(scope, value)
        except UnknownFilter as exc:
            return data_400([FieldError(exc.name, unknown_message(exc.name, exc.slug))])
        text = (
            json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False, ensure_ascii=False)
            if fmt == "json"
            else echo.csv_text(scope, data)
        )
        body = text.encode()
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type=_CONTENT_TYPES[fmt])
    if fmt == "csv":
        response["Content-Disposition"] = 'attachment; filename="echoes.csv"'
    return response


@cache_public_page
def about(request: HttpRequest) -> HttpResponse:
    """Sources, coverage, the topic tree, the echo definitions, how to report an error."""
    return render(request, "public/about.html", site_facts.about_context())
