"""Deployment checks for what `check --deploy` cannot know about this site."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Cached pages, facets and trends are retired by bumping a version in the cache:
    with a per-process cache, one worker's edit leaves the others' copies stale."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")) and not settings.DEBUG:
        return [
            Warning(
                "The cache is local to each process, so an edit made through one worker "
                "does not retire pages cached by the others.",
                hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0).",
                id="tracker.W001",
            )
        ]
    return []
