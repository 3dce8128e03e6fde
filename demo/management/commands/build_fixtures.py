from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.realdata import (
    CSV_PATHS,
    CURATION_PATH,
    FIXTURE_PATH,
    BuildError,
    build_fixture,
    render_fixture,
)


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/real_data.json from the sourced CSV files and fixtures/curation.toml. "
        "Run it after correcting either file; --check fails if the fixture is out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--csv", type=Path, nargs="+", default=list(CSV_PATHS), help="The proposal files."
        )
        parser.add_argument("--curation", type=Path, default=CURATION_PATH)
        parser.add_argument("--output", type=Path, default=FIXTURE_PATH)
        parser.add_argument(
            "--check", action="store_true", help="Exit non-zero if the output would change."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        notes: list[str] = []
        try:
            records = build_fixture(tuple(options["csv"]), options["curation"], notes=notes)
        except BuildError as exc:
            raise CommandError(
                f"{len(exc.problems)} problem(s) in the real data:\n" + "\n".join(exc.problems)
            ) from exc
        for note in notes:  # what the build leaves out on purpose, and why
            self.stdout.write(note)
        text = render_fixture(records)
        out: Path = options["output"]
        if options["check"]:
            if not out.exists() or out.read_text(encoding="utf-8") != text:
                raise CommandError(f"{out} is out of date: run `manage.py build_fixtures`.")
            self.stdout.write(f"{out} is up to date.")
            return
        out.write_text(text, encoding="utf-8")
        counts: dict[str, int] = {}
        for record in records:
            counts[record["model"]] = counts.get(record["model"], 0) + 1
        summary = ", ".join(f"{n} {label.split('.')[1]}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {out}: {summary}."))
