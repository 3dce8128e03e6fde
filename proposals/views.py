from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .models import Proposal
from .selectors import headline_counts


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "counts": headline_counts(),
            "newest": Proposal.objects.for_list().newest_first()[:10],
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness only: touches no database, so it measures the server itself."""
    return HttpResponse("ok\n", content_type="text/plain")
