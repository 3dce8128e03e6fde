"""Build the bulk downloads (/data/) for the current data version ahead of the first
request (a release step, or after a bulk import)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from api import bulk


class Command(BaseCommand):
    help = "Build the /data/ downloads (CSV, JSON, SQLite) for the current data version."

    def handle(self, *args: Any, **options: Any) -> None:
        made = bulk.build()
        rows = ", ".join(f"{name} {n}" for name, n in made.manifest["tables"].items())
        self.stdout.write(f"Built {made.path} ({rows}).")
