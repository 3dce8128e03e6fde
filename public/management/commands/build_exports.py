"""Build the export of every proposal (CSV and JSON) for the current data version."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from public import export_files
from public.exports import full_export_chunks


class Command(BaseCommand):
    help = (
        "Build the files /proposals/export.csv and export.json serve unfiltered, for the "
        "current data version (run after a bulk load so no reader waits). Each file is "
        "written to a temporary file and renamed into place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--origin",
            default=settings.TRACKER_SITE_ORIGIN,
            help="The origin the links use, e.g. https://tracker.example.org "
            "(default: DJANGO_SITE_ORIGIN).",
        )

    def handle(self, *args: Any, origin: str, **options: Any) -> None:
        if not origin:
            raise CommandError("give --origin or set DJANGO_SITE_ORIGIN")
        origin = origin.rstrip("/")
        for kind in export_files.KINDS:
            path = export_files.full_export_path(kind, origin)
            started = time.perf_counter()
            try:
                built = export_files.write_atomically(path, full_export_chunks(kind, origin))
            finally:
                export_files.requested_marker(path).unlink(missing_ok=True)
            took = time.perf_counter() - started
            state = "built" if built else "being built by another process"
            self.stdout.write(f"{path.name}: {state} ({took:.1f} s)")
