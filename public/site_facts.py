"""What every page's footer says about the data ("Data up to the 2025 session, last
updated 23 November 2026"), and the /about/ page's facts. Computed from the data and
cached under the data version: one query when cold, none when cached, and none on a
page that does not show the footer (the context value is lazy)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.cache import cached
from delegates.models import AnnualSession, Delegate
from government.models import GovernmentPriority
from proposals import selectors
from proposals.models import Proposal, Source
from stats import echo

from .coverage import REPORTED_TOTALS, coverage_rows


def footer_facts() -> dict[str, Any]:
    """The newest complete session with proposals, and when a proposal last changed."""
    return echo.data_facts()


def site_facts(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `data_facts` for the footer, looked up only when shown."""
    return {"data_facts": SimpleLazyObject(footer_facts)}


def about_context() -> dict[str, Any]:
    """Sources, coverage and the topic tree for /about/."""
    return cached("about", (), _about)


def _about() -> dict[str, Any]:
    held = dict(
        Delegate.objects.visible()
        .filter(slug__in={r.delegate for r in REPORTED_TOTALS})
        .values_list("slug", "name")
    )
    counts: dict[str, dict[int, int]] = {}
    rows = (
        Proposal.objects.visible()
        .filter(delegate__slug__in=held)
        .order_by()
        .values_list("delegate__slug", "session_id")
        .annotate(n=Count("pk"))
    )
    for slug, year, n in rows:
        counts.setdefault(slug, {})[year] = n
    return {
        "sessions": AnnualSession.objects.visible().count(),
        "in_progress": list(
            AnnualSession.objects.visible().filter(in_progress=True).values_list("year", flat=True)
        ),
        "proposals": Proposal.objects.visible().count(),
        "delegates": Delegate.objects.visible().count(),
        "sources": Source.objects.visible().count(),
        "priorities": GovernmentPriority.objects.visible().count(),
        "reported": [
            {
                "slug": r.delegate,
                "name": held[r.delegate],
                **coverage_rows(r.delegate, counts.get(r.delegate, {}), [r])[0],
            }
            for r in REPORTED_TOTALS
            if r.delegate in held
        ],
        "tree": selectors.topic_tree_with_counts(),
        "latest_complete": echo.latest_complete_year(),
        **footer_facts(),
    }
