from __future__ import annotations

import sys
from argparse import RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from proposals.importing import RULES, ImportReport, import_proposals


class Command(BaseCommand):
    help = (
        "Import a session's proposals from a CSV interchange file (the public export's "
        "format) or JSON Lines with the same keys, UTF-8 with or without a BOM. Shows a "
        "progress bar on a terminal and a summary at the end; exits non-zero, having "
        "written nothing, if any row is bad, listing every bad row.\n\n" + RULES
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter  # keep the rules' lines
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or JSON Lines file; '-' reads standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, writing nothing.",
        )
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="Create unknown topic slugs as top-level topics instead of refusing them.",
        )
        parser.add_argument(
            "--format",
            choices=["csv", "jsonl"],
            help="Default: JSON Lines when the file starts with '{', else CSV.",
        )
        parser.add_argument(
            "--user", help="Username recorded as the author of every change in the history."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user called {options['user']!r}.")
        name = options["file"]
        if name == "-":
            report = self._run(sys.stdin.buffer, "standard input", 0, user, options)
        else:
            path = Path(name)
            try:
                handle = path.open("rb")
            except OSError as exc:
                raise CommandError(f"{path}: cannot open: {exc.strerror}") from exc
            with handle:
                report = self._run(handle, path.name, path.stat().st_size, user, options)
        self._print(report)

    def _run(
        self, stream: Any, name: str, size: int, user: Any, options: dict[str, Any]
    ) -> ImportReport:
        with tqdm(
            total=size or None,
            unit="B",
            unit_scale=True,
            desc=name,
            disable=True if options["no_progress"] else None,  # None: only on a terminal
            file=sys.stderr,
        ) as bar:

            def progress(rows: int, bytes_read: int) -> None:
                bar.set_postfix_str(f"{rows:,} rows", refresh=False)
                bar.update(bytes_read - bar.n)

            return import_proposals(
                stream,
                name=name,
                fmt=options["format"],
                dry_run=options["dry_run"],
                create_topics=options["create_topics"],
                user=user,
                progress=progress,
            )

    def _print(self, report: ImportReport) -> None:
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"{report.name}, {problem}")
            rows = len({p.line for p in report.problems})
            raise CommandError(
                f"{len(report.problems)} problem(s) on {rows} line(s) of {report.name}: "
                "nothing was imported."
            )
        for line in report.summary_lines():
            self.stdout.write(f"  {line}")
        verb = "Dry run, nothing written" if report.dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}: {report.rows:,} rows read from {report.name}.")
        )
