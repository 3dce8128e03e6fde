"""The API's reads: each returns a queryset or values with everything its serializer
shows, in a fixed number of queries whatever the page size."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from delegates.models import Affiliation, AnnualSession, Company, Delegate, Seat
from government.models import GovernmentPriority


def delegates() -> QuerySet[Delegate]:
    """Visible delegates with their seats (newest first) and affiliations: three
    queries a page."""
    return Delegate.objects.visible().prefetch_related(
        Prefetch("seats", queryset=Seat.objects.order_by("-session_id", "body")),
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.select_related("company").order_by("start_year", "pk"),
        ),
    )


def companies() -> QuerySet[Company]:
    """Visible companies with the visible people who held a role there: two queries."""
    people = (
        Affiliation.objects.filter(delegate__in=Delegate.objects.visible())
        .select_related("delegate")
        .order_by("delegate__name", "start_year", "pk")
    )
    return Company.objects.visible().prefetch_related(
        Prefetch("affiliations", queryset=people, to_attr="visible_affiliations")
    )


def sessions() -> QuerySet[AnnualSession]:
    return AnnualSession.objects.visible().order_by("-year")


def priorities(year: int | None = None) -> list[GovernmentPriority]:
    """The visible sessions' priorities (of one year), with topics and sources: three
    queries."""
    found = GovernmentPriority.objects.visible()
    if year is not None:
        found = found.in_year(year)
    return list(found.for_display())
