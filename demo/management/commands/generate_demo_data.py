from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError, RestrictedError

from demo.generate import generate_demo_data
from demo.plan import GenerationPlan
from demo.remove import generated_counts, has_generated_data, remove_demo_data
from demo.tables import COUNTED_MODELS
from demo.vocabulary import BATCH_SIZE, CPPCC_SIZE, DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR, NPC_SIZE
from proposals import search_index
from proposals.models import Proposal
from stats.counting import refresh


class ProgressBar:
    """A one-line progress bar on stderr; one line per tenth when not on a terminal."""

    def __init__(self, stream: OutputWrapper, label: str) -> None:
        self.stream = stream
        self.label = label
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_tenth = -1

    def update(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate else 0.0
        width = 30
        bar = "#" * int(share * width) + "-" * (width - int(share * width))
        line = (
            f"{self.label} [{bar}] {share:4.0%} {done:,}/{total:,} "
            f"{elapsed:5.0f}s elapsed, {eta:4.0f}s left"
        )
        if self.tty:
            self._write("\r" + line + ("\n" if done >= total else ""))
        elif int(share * 10) > self.last_tenth:
            # Logs and CI get a line per tenth rather than thousands of carriage returns.
            self.last_tenth = int(share * 10)
            self._write(line + "\n")

    def _write(self, text: str) -> None:
        # Plain text: the command's stderr would otherwise colour every line as an error.
        self.stream.write(text, style_func=str, ending="")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Generate realistic demo data at scale, flagged as generated (hidden from the public "
        "site unless TRACKER_SHOW_GENERATED=1): sessions over decades, thousands of delegates "
        "per body with seats over five-year terms, companies, a two-level topic tree and N "
        "proposals with topics and sources. The same --proposals and --seed give the same "
        "data. All or nothing: it runs in one transaction. --remove deletes every generated "
        "record and leaves the real data as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--proposals", type=int, help="How many proposals to generate.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--remove", action="store_true", help="Delete all generated data, then stop."
        )
        action.add_argument(
            "--replace",
            action="store_true",
            help="Delete the generated data present and generate anew, in one transaction.",
        )
        parser.add_argument("--first-year", type=int, default=DEFAULT_FIRST_YEAR)
        parser.add_argument("--last-year", type=int, default=DEFAULT_LAST_YEAR)
        parser.add_argument("--npc-size", type=int, default=NPC_SIZE, help="NPC deputies per term.")
        parser.add_argument(
            "--cppcc-size", type=int, default=CPPCC_SIZE, help="CPPCC members per term."
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Proposals per insert batch."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        started = time.monotonic()
        if options["remove"]:
            if options["proposals"] is not None:
                raise CommandError("--remove takes no --proposals.")
            deleted = self._remove()
            self._report("Removed", deleted, started, verbosity)
            return
        if options["proposals"] is None:
            raise CommandError("Say how many with --proposals N (or use --remove).")
        try:
            plan = GenerationPlan(
                proposals=options["proposals"],
                seed=options["seed"],
                first_year=options["first_year"],
                last_year=options["last_year"],
                npc_size=options["npc_size"],
                cppcc_size=options["cppcc_size"],
                batch_size=options["batch_size"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if has_generated_data() and not options["replace"]:
            counts = generated_counts()
            raise CommandError(
                f"Generated demo data is already present ({counts['proposals.Proposal']:,} "
                "proposals); nothing was written. Run with --remove first, or with --replace "
                "to swap it for a new dataset in one step."
            )
        if verbosity and not Proposal.objects.filter(is_generated=False).exists():
            self.stderr.write(
                "No real proposals are loaded. load_real_data only loads into an empty "
                "database, so load the real data before generating (make setup does).",
                style_func=self.style.WARNING,
            )
        bar = ProgressBar(self.stderr, "Proposals") if verbosity else None
        try:
            # One transaction for the whole run: a failure or an interruption at any point
            # leaves no partial dataset behind, and readers never see one being written.
            with transaction.atomic():
                if options["replace"]:
                    remove_demo_data()
                written = generate_demo_data(
                    plan=plan,
                    progress=bar.update if bar else None,
                    notify=self.stderr.write if verbosity else None,
                )
                # Rows went in by COPY, past the signals that keep trend counts exact
                # and the search rows true.
                refresh()
                search_index.rebuild(
                    progress=ProgressBar(self.stderr, "Search rows").update if bar else None
                )
        except (DatabaseError, ProtectedError, RestrictedError) as exc:
            raise CommandError(f"Nothing was written: {type(exc).__name__}: {exc}") from exc
        if connection.vendor == "postgresql":
            # Fresh planner statistics, so the first queries on the new rows plan well.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in COUNTED_MODELS)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
        self._report("Generated", written, started, verbosity)

    def _remove(self) -> dict[str, int]:
        try:
            with transaction.atomic():
                removed = remove_demo_data()
                refresh()
                search_index.rebuild()
                return removed
        except (IntegrityError, ProtectedError, RestrictedError) as exc:
            raise CommandError(
                "Nothing was removed: a real record refers to generated data "
                f"(edit it first). {type(exc).__name__}: {exc}"
            ) from exc

    def _report(self, verb: str, counts: dict[str, int], started: float, verbosity: int) -> None:
        if not verbosity:
            return
        rows = ", ".join(f"{n:,} {label.split('.')[1]}" for label, n in counts.items())
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{verb} in {elapsed:.1f}s: {rows}."))
