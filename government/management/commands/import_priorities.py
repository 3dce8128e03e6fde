from __future__ import annotations

from argparse import RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from government.importing import RULES, import_priorities


class Command(BaseCommand):
    help = (
        "Import the Government Work Report's priorities from a CSV file in the format of "
        "fixtures/gov_priorities_2013_2025.csv. Exits non-zero, having written nothing, if "
        "any row is bad, listing every problem with its line and column.\n\n" + RULES
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, writing nothing."
        )
        parser.add_argument("--user", help="Username recorded as the author in the history.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user called {options['user']!r}.")
        path: Path = options["file"]
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise CommandError(f"{path}: cannot open: {exc.strerror}") from exc
        with handle:
            report = import_priorities(
                handle, name=path.name, dry_run=options["dry_run"], user=user
            )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"{report.name}, {problem}")
            raise CommandError(
                f"{len(report.problems)} problem(s) on {len({p.line for p in report.problems})} "
                f"line(s) of {report.name}: nothing was imported."
            )
        for line in report.summary_lines():
            self.stdout.write(f"  {line}")
        verb = "Dry run, nothing written" if report.dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}: {report.rows} rows read from {report.name}.")
        )
