"""The data version, and everything cached under it.

Every write that can change what a page shows bumps one version key (`invalidate()`),
and every cached value (pages, facet counts, trends, exports, the topic tree) carries
the version in its key, so an edit in the admin shows on the next page load and a
stale entry is never read again; the timeout only lets superseded entries expire.
`stats.receivers` connects the model signals and bulk-write announcements that call
`invalidate()`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import throttle

T = TypeVar("T")

VERSION_KEY = "data:version"
# Keys carry the version, so they never serve stale data; the timeout only lets the
# entries of superseded versions expire.
CACHE_SECONDS = 24 * 60 * 60
PAGE_SECONDS = 60 * 60

# The version as this process last read it, and when (time.monotonic()). Every cached
# page needs it; holding it for a second saves a cache round trip per request, at the
# price of an edit made through another process showing up to a second later.
_held_version: tuple[str, float] = ("", float("-inf"))


def _version() -> str | None:
    """The current data version, or None when the cache cannot say (Redis down)."""
    global _held_version
    version, read_at = _held_version
    now = time.monotonic()
    if now - read_at < settings.TRACKER_VERSION_HOLD_SECONDS:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), None)
        version = cache.get(VERSION_KEY)
    if _take_recovery():
        # Redis is back after an outage. Writes made meanwhile could not bump the
        # version, so the pages cached before the outage may be stale: retire them all.
        _bump()
        return _held_version[0] or None
    if not version:
        _held_version = ("", float("-inf"))
        return None
    _held_version = (version, now)
    return version


def _take_recovery() -> bool:
    take = getattr(cache, "take_recovery", None)  # only core.redis has outages
    return bool(take and take())


def _new_version() -> str:
    # The time the version was made leads it (milliseconds since the epoch, in hex), so
    # the API can give it as Last-Modified; the random part keeps apart two processes'
    # bumps in the same millisecond.
    return f"{time.time_ns() // 1_000_000:011x}-{uuid.uuid4().hex[:20]}"


def version_time() -> datetime:
    """When the current data version was made: no write since then changed any data.
    A version from before this format (no time in it) reads as now."""
    version = _version()
    try:
        # No version while the cache is down: now, so nothing is called unmodified.
        millis = int((version or "").partition("-")[0], 16)
    except ValueError:
        return datetime.now(tz=UTC)
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def current_version() -> str:
    """The data version (held for TRACKER_VERSION_HOLD_SECONDS): ETags are made of it.
    Empty while the cache cannot say (Redis down)."""
    return _version() or ""


def _bump() -> None:
    global _held_version
    version = _new_version()
    cache.set(VERSION_KEY, version, None)
    if cache.get(VERSION_KEY) == version:
        _held_version = (version, time.monotonic())
    else:
        # The bump did not reach the cache (it is down): hold nothing, so the cache is
        # bypassed until it answers, and its recovery retires everything (_version).
        _held_version = ("", float("-inf"))


def forget_held_version() -> None:
    """Read the version from the cache on next use (tests that clear the cache)."""
    global _held_version
    _held_version = ("", float("-inf"))


def invalidate() -> None:
    """Retire everything cached. Called on every write that can change what is shown.

    It bumps now and again on commit: a reader who computed from the old rows between
    the two would otherwise keep their result cached under the new version.
    """
    _bump()
    transaction.on_commit(_bump)


def cache_key(name: str, parts: Any) -> str:
    """A key under the current version; generated data shown or not is part of it.

    When the cache cannot say which version is current (Redis down), the key carries a
    random version of its own: a get misses, and whatever is stored under it is never
    read again, so nothing computed then can be served after a write it missed."""
    version = _version() or f"unknown-{uuid.uuid4().hex}"
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    shown = int(bool(settings.TRACKER_SHOW_GENERATED))
    return f"v:{version}:{shown}:{name}:{digest}"


def cached(name: str, parts: Any, compute: Callable[[], T]) -> T:
    """`compute()`'s value, kept under the current data version."""
    key = cache_key(name, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _known_query(query: QueryDict, known: Iterable[str]) -> QueryDict:
    """The query string as the page reads it: only the parameters it knows, in one
    order, each value stripped, empty and repeated values dropped."""
    normal = QueryDict(mutable=True)
    for name in sorted(set(known)):
        values = [v.strip() for v in query.getlist(name)]
        values = list(dict.fromkeys(v for v in values if v))
        if values:
            normal.setlist(name, values)
    normal._mutable = False
    return normal


def _without_empty(query: QueryDict, known: Iterable[str]) -> str | None:
    """The query string without the empty values of the page's parameters (`q=&sort=`,
    what a form sends for each control left alone; other parameters kept as they are),
    or None when there are none to drop."""
    known = set(known)
    kept = [(k, v) for k, values in query.lists() for v in values if v.strip() or k not in known]
    if len(kept) == sum(len(values) for _, values in query.lists()):
        return None
    cleaned = QueryDict(mutable=True)
    for key, value in kept:
        cleaned.appendlist(key, value)
    return cleaned.urlencode()


def _signed_in(request: HttpRequest) -> bool:
    # Only a cookie that is a live session counts: a made-up one would otherwise buy
    # a fresh, unthrottled render of every page.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def cache_public_page(
    view: Callable[..., HttpResponse] | None = None, *, params: Callable[[], Iterable[str]] = tuple
) -> Any:
    """Serve an anonymous GET from the cache, keyed by the language, the path, the
    query parameters the page knows and the data version. Signed-in requests (editors
    see admin links) always render anew; only 200 responses are stored.

    `params` names the query parameters the page reads (a callable, so the parameter
    table is read when a request comes). Any other parameter (utm_source=<random>) is
    dropped before the view sees the request, and the known ones are normalised, so
    junk in the address neither renders anew nor stores a new entry (issue 17, defect
    3); the page is then exactly the page of the clean address. A miss is rendering
    work: it is throttled per client (core.throttle), a hit never is."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                # One address per selection: a shared link never carries the form's
                # untouched controls (static/js/filters.js drops them before submitting).
                shorter = _without_empty(request.GET, params())
                if shorter is not None:
                    return HttpResponseRedirect(
                        f"{request.path}?{shorter}" if shorter else request.path
                    )
            if request.method not in ("GET", "HEAD") or _signed_in(request):
                return view(request, *args, **kwargs)
            query = _known_query(request.GET, params())
            if query != request.GET:
                request.GET = query
                request.META["QUERY_STRING"] = query.urlencode()
            parts = (translation.get_language(), request.path, sorted(query.lists()))
            key = cache_key("page", parts)
            response = cache.get(key)
            if response is None:
                refused = throttle.refuse_uncached(request)
                if refused is not None:
                    return refused
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and not response.streaming:
                    if hasattr(response, "render") and callable(response.render):
                        response.render()
                    cache.set(key, response, PAGE_SECONDS)
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
