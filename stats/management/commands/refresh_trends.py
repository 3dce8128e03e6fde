from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from proposals.models import TrendCount
from stats.counting import refresh


class Command(BaseCommand):
    help = (
        "Recount the trend table (proposals per year, body and topic) from the proposals "
        "and clear cached trends. Run it after a bulk load that bypasses model signals "
        "(bulk_create, QuerySet.update, loaddata); edits in the admin keep it exact alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = refresh()
        slices = (
            TrendCount.objects.filter(topic__isnull=True).values("year", "body").distinct().count()
        )
        self.stdout.write(
            self.style.SUCCESS(f"Recounted trends: {rows} rows over {slices} year-body slices.")
        )
