"""Time and peak memory of `manage.py import_proposals` on a large generated file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB .venv/bin/python bench/import_bench.py

Writes a CSV of --rows proposals (default 100,000) in the interchange format: --delegates
delegates over ten years, each always in one body, five proposals a delegate a year, one
to three of the real topic slugs, a page of its own for every row (the worst case for
sources). Then runs the import command in a child process twice, the first time creating
everything, the second changing nothing, and reports wall time and the child's peak
resident memory. The database needs the real data loaded (`make setup`) for the topics.
With --clean, the generated records and their history are deleted afterwards.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NAME_PREFIX = "Bench Delegate"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def write_file(path: Path, rows: int, delegates: int, seed: int = 2026) -> None:
    from proposals.interchange import COLUMNS
    from topics.models import Topic

    slugs = list(Topic.objects.filter(parent__isnull=False).values_list("slug", flat=True))
    if not slugs:
        raise SystemExit("No topics: load the real data first (make setup).")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    years = range(2013, 2023)
    per_year = max(1, rows // (delegates * len(years)))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        n = 0
        for d in range(delegates):
            body = "NPC" if d % 2 else "CPPCC"
            company = f"Bench Company {d % 500:03d}"
            for year in years:
                for k in range(per_year):
                    if n >= rows:
                        return
                    n += 1
                    writer.writerow(
                        [
                            year,
                            body,
                            f"{NAME_PREFIX} {d:05d}",
                            "",
                            company,
                            "Chairman",
                            f"Proposal {k} of {year} on {rng.choice(slugs)} number {n}",
                            "A generated summary in our own words, long enough to be "
                            "realistic for the benchmark, about " + rng.choice(slugs) + ".",
                            ";".join(rng.sample(slugs, rng.randint(1, 3))),
                            "",
                            f"https://bench.example.org/{year}/{d}/{n}",
                            f"Report {n}",
                            "Bench News",
                            f"{year}-03-0{rng.randint(1, 9)}",
                        ]
                    )


def run_import(path: Path) -> tuple[float, float, float, str]:
    """(wall seconds, the child's CPU seconds, peak RSS of the child in MB, its output).
    The database server's own CPU time is the rest of the wall time, give or take what
    other processes on the machine take."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    # Measured as production runs it: with DEBUG on, Django also logs every statement.
    env = {**os.environ, "DJANGO_DEBUG": "0"}
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only-key")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "import_proposals", str(path), "--no-progress"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    if result.returncode:
        raise SystemExit(f"import failed:\n{result.stderr[-2000:]}")
    lines = result.stdout.strip().splitlines()
    # ru_maxrss is in KiB on Linux and is the largest child so far: report it as is.
    return seconds, cpu, max(peak, before) / 1024, "\n".join(lines)


def clean() -> None:
    from django.db import transaction

    from delegates.models import Affiliation, Company, Delegate, Seat
    from proposals.models import Proposal, ProposalTopic, Source

    with transaction.atomic():
        delegates = Delegate.objects.filter(name__startswith=NAME_PREFIX)
        ids = list(delegates.values_list("pk", flat=True))
        proposals = Proposal.objects.filter(delegate_id__in=ids)
        hist = Proposal.history.model
        hist_ids = hist.objects.filter(delegate_id__in=ids).values("history_id")
        hist.topics.model.objects.filter(history_id__in=hist_ids).delete()
        hist.sources.model.objects.filter(history_id__in=hist_ids).delete()
        hist.objects.filter(delegate_id__in=ids).delete()
        ProposalTopic.objects.filter(proposal__in=proposals)._raw_delete("default")
        Proposal.sources.through.objects.filter(proposal__in=proposals)._raw_delete("default")
        proposals._raw_delete("default")
        sources = Source.objects.filter(url__startswith="https://bench.example.org/")
        Source.history.filter(url__startswith="https://bench.example.org/").delete()
        sources._raw_delete("default")
        Seat.history.filter(delegate_id__in=ids).delete()
        Seat.objects.filter(delegate_id__in=ids)._raw_delete("default")
        Affiliation.history.filter(delegate_id__in=ids).delete()
        Affiliation.objects.filter(delegate_id__in=ids)._raw_delete("default")
        Delegate.history.filter(id__in=ids).delete()
        delegates._raw_delete("default")
        Company.history.filter(name__startswith="Bench Company").delete()
        Company.objects.filter(name__startswith="Bench Company")._raw_delete("default")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--delegates", type=int, default=2_000)
    parser.add_argument("--clean", action="store_true", help="Delete the generated records after.")
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        write_file(path, args.rows, args.delegates)
        size = path.stat().st_size / 1048576
        print(
            f"{connection.vendor} {connection.settings_dict['NAME']}: {args.rows:,} rows, "
            f"{size:.1f} MB"
        )
        load = os.getloadavg()[0]
        wall, cpu, peak, out = run_import(path)
        print(
            f"first import: {wall:.1f} s ({cpu:.1f} s CPU in the importer), peak RSS "
            f"{peak:.0f} MB, load average before {load:.2f}\n{out}"
        )
        load = os.getloadavg()[0]
        wall, cpu, peak, out = run_import(path)
        print(
            f"second import (no change): {wall:.1f} s ({cpu:.1f} s CPU in the importer), "
            f"load average before {load:.2f}\n{out}"
        )
    if args.clean:
        clean()
        print("generated records deleted")


if __name__ == "__main__":
    main()
