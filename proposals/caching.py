"""Whole-page caching for the public site, under the data version that every write
bumps (proposals.trends.invalidate), so an edit in the admin shows on the next load."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from . import trends

PAGE_SECONDS = 60 * 60


def cache_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous GET from the cache, keyed by the full path and the data
    version. Requests with a session (editors see admin links) always render anew;
    only 200 responses are stored."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key = trends.cache_key("page", request.get_full_path())
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render") and callable(response.render):
                    response.render()
                cache.set(key, response, PAGE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
