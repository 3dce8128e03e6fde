"""Read-side queries that span several apps (the home page's headline numbers)."""

from __future__ import annotations

from django.db.models import Max

from delegates.models import AnnualSession, Company, Delegate

from .models import Proposal


def headline_counts() -> dict[str, int | None]:
    """Counts shown at the top of the home page: one query per table, none per row."""
    return {
        "proposals": Proposal.objects.visible().count(),
        "delegates": Delegate.objects.visible().count(),
        "companies": Company.objects.visible().count(),
        "sessions": AnnualSession.objects.visible().count(),
        "latest_year": AnnualSession.objects.visible().aggregate(latest=Max("year"))["latest"],
    }
