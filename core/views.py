"""Pages about the server rather than the data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness only: touches no database, so it measures the server itself."""
    return HttpResponse("ok\n", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on every page, the admin's included. The hashed
    name is looked up per request: at import time the manifest may not exist yet."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
