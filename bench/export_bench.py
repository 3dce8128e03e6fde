"""Time of the export of everything: reading and formatting every visible proposal, the
old way (model instances with prefetched topics and sources) against the rows the
export reads now (proposals.export_rows, three plain queries a chunk), and building the
files served unfiltered.

    DATABASE_URL=... TRACKER_SHOW_GENERATED=1 .venv/bin/python bench/export_bench.py

Run it on a database with generated data (`manage.py generate_demo_data --proposals
100000`). It reports wall and CPU time (the machine may be shared: CPU time is the
steadier figure) and rows per second; --old-rows limits the old way, which is slow.
Files go to a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label: str, rows: int, run: Callable[[], object]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{label:<44} {rows:>9,} rows  wall {wall:6.1f} s  cpu {cpu:6.1f} s  "
        f"{rows / cpu if cpu else 0:>9,.0f} rows/cpu-s"
    )


def consume(chunks: Iterable[str]) -> int:
    return sum(len(c) for c in chunks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old-rows", type=int, default=20_000)
    parser.add_argument("--origin", default="http://127.0.0.1")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from proposals.export_rows import export_rows
    from proposals.interchange import interchange_row
    from proposals.models import Proposal
    from public import export_files
    from public.exports import full_export_chunks

    everything = Proposal.objects.visible().newest_first()
    total = everything.count()
    old = everything.for_export()[: args.old_rows]
    timed(
        "old: instances + prefetch (chunks of 1000)",
        min(total, args.old_rows),
        lambda: [interchange_row(p) for p in old.iterator(chunk_size=1000)],
    )
    timed(
        "new: export_rows (3 queries per 2000)",
        total,
        lambda: [interchange_row(p) for p in export_rows(everything)],
    )
    with tempfile.TemporaryDirectory() as folder:
        settings.TRACKER_EXPORT_ROOT = folder
        for kind in export_files.KINDS:
            path = export_files.full_export_path(kind, args.origin)
            timed(
                f"build the {kind} file",
                total,
                lambda kind=kind, path=path: export_files.write_atomically(
                    path, full_export_chunks(kind, args.origin)
                ),
            )
            print(f"{'':<44} {path.stat().st_size / 2**20:,.1f} MB")


if __name__ == "__main__":
    main()
