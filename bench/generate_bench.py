"""Time generate_demo_data and measure its peak memory and the database it leaves.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_i6 \
        .venv/bin/python bench/generate_bench.py --proposals 1000000 [--seed 0] [--replace]

Prints seconds, peak resident memory of this process (the command runs in it), the
rows written per table, and the database size, as a Markdown table row to paste into
docs/benchmarks.md. The generated data is left in place; `--replace` swaps out a
dataset already there (its removal is timed too, in the same transaction).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replace", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.remove import generated_counts

    started = time.perf_counter()
    call_command(
        "generate_demo_data", proposals=args.proposals, seed=args.seed, replace=args.replace
    )
    seconds = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), pg_size_pretty(pg_database_size(current_database()))")
            version, size = cursor.fetchone()
    else:
        version = f"SQLite {connection.Database.sqlite_version}"
        size = f"{Path(connection.settings_dict['NAME']).stat().st_size / 2**20:.0f} MB"
    counts = generated_counts()
    print(f"\n{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(version)
    print("| proposals | seconds | peak RSS (MB) | database size |")
    print(f"| {args.proposals:,} | {seconds:.0f} | {peak_mb:.0f} | {size} |")
    print("\nRows written per table:")
    for label, n in counts.items():
        print(f"- {label}: {n:,}")


if __name__ == "__main__":
    main()
