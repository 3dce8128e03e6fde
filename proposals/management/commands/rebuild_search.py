from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from proposals import search_index


class Command(BaseCommand):
    help = (
        "Rebuild every proposal's search row (titles, summaries, names and topic names in "
        "both languages, analysed for full-text search) in one transaction. Needed after "
        "writes that bypass model signals and announce nothing (raw SQL, QuerySet.update); "
        "load_real_data and generate_demo_data run it themselves."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            written = search_index.rebuild()
        except DatabaseError as exc:
            self.stderr.write(f"Nothing was changed: {type(exc).__name__}: {exc}")
            raise SystemExit(1) from exc
        if options["verbosity"]:
            elapsed = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(f"Indexed {written:,} proposals in {elapsed:.1f}s.")
            )
