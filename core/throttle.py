"""A per-client limit on uncached anonymous work (issue 17, defect 3).

A cached page costs a cache read; a miss renders it, some 24 times the work. Whoever
can make every request a miss (a new search, a deep page) could keep every worker
busy, so each client gets TRACKER_UNCACHED_RATE misses (e.g. "120/m"; "off" for none)
and then a 429 with Retry-After until its window ends.

Counting is django-ratelimit's (`get_usage`: a fixed window per client in the shared
cache, one add or incr a miss), chosen over a token bucket of our own because it is the
long-used library for exactly this. Its app is not installed: only the counting is
used, and its system checks would refuse the local-memory cache of development. With
the cache down it fails open (RATELIMIT_FAIL_OPEN): no count, no limit, the page renders.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from .clients import client_ip

GROUP = "tracker.uncached-page"


def _client(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "no-address"


def refuse_uncached(request: HttpRequest) -> HttpResponse | None:
    """Count one uncached render for this client; the 429 page once over the rate."""
    rate = settings.TRACKER_UNCACHED_RATE
    if not rate:
        return None
    usage = get_usage(request, group=GROUP, key=_client, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    wait = max(1, int(usage["time_left"]))
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
