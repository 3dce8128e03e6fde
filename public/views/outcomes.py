"""The outcomes page: how many proposals of each session and body have a known
outcome, with "not known" shown as what it is, the largest part; and its JSON."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from core.cache import cache_public_page
from core.errors import FieldError, data_400
from stats.outcomes import outcome_counts

from .. import charts


@require_safe
@cache_public_page
def outcomes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/outcomes.html",
        {"chart": charts.outcome_chart_context(outcome_counts())},
    )


@require_safe
def outcomes_json(request: HttpRequest) -> HttpResponse:
    """The chart's numbers. It takes no parameters: any given is refused, so that a
    reader never believes a filter was applied."""
    if request.GET:
        return data_400(
            FieldError(name, gettext("This endpoint takes no parameters.")) for name in request.GET
        )
    chart = charts.outcome_chart_context(outcome_counts())
    body = {**chart["data"], "table": chart["table"]}
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
