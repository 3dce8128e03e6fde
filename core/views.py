"""Pages about the server rather than the data."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness only: touches no database, so it measures the server itself."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database_error() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


def _cache_error() -> str | None:
    ping = getattr(cache, "ping", None)  # core.redis asks Redis itself
    try:
        if ping is not None:
            ping()
        else:
            probe = uuid.uuid4().hex
            cache.set("readyz", probe, 10)
            if cache.get("readyz") != probe:
                return "the cache did not keep a value"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the cache, each "ok" or its error; 200 when both
    answer, else 503. The site still serves without the cache (uncached, slower), so a
    balancer may keep a node whose cache is down; the answer says which part failed."""
    checks = {"database": _database_error(), "cache": _cache_error()}
    ready = not any(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {name: error or "ok" for name, error in checks.items()},
        },
        status=200 if ready else 503,
    )


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on every page, the admin's included. The hashed
    name is looked up per request: at import time the manifest may not exist yet."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def lockout(request: HttpRequest, original_response: Any, credentials: Any) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): the admin's
    own page, saying for how long and how an administrator unlocks it, with 429 and
    Retry-After."""
    from axes.helpers import get_cool_off, get_failure_limit
    from django.contrib import admin

    cool_off = get_cool_off(request)
    response = render(
        request,
        "axes/lockout.html",
        {
            **admin.site.each_context(request),
            "is_nav_sidebar_enabled": False,  # a signed-out visitor has no models to list
            "failure_limit": get_failure_limit(request, credentials),
            "cooloff_timedelta": cool_off,
        },
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
