#!/usr/bin/env python3
"""First visits of the filtered list, in-process: the cache is emptied before every
request, so each one counts its facets, pages and renders anew, as the first visitor
of a new filter or a shared link does. No HTTP in between (gunicorn adds about a
millisecond; bench/run_bench.py measures through it on PostgreSQL).

    DATABASE_URL=sqlite:////path/bench100k.sqlite3 .venv/bin/python bench/first_visits.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_x .venv/bin/python bench/first_visits.py
    ... --profile            # one pyinstrument profile of 30 such visits, as text

The database must hold generated data (manage.py generate_demo_data); generated
records are shown for the run. Prints p50, p95 and max over the URLs, and the SQL time
of one visit, so the rest (Python and templates) can be read off.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-first-visits")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ["TRACKER_SHOW_GENERATED"] = "1"
os.environ.pop("REDIS_URL", None)  # a local-memory cache of this process alone


# CPU time of each visit: on a shared machine, wall time also counts waiting for a core.
CPU_MS: list[float] = []
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


def urls(n: int, seed: int) -> list[str]:
    """`n` distinct lists with two filters: a year and a sub-topic, as bench/run_bench.py."""
    from delegates.models import AnnualSession
    from topics.models import Topic

    rng = random.Random(seed)
    years = list(AnnualSession.objects.order_by("year").values_list("year", flat=True))
    topics = list(Topic.objects.filter(parent__isnull=False).values_list("slug", flat=True))
    pairs = list(dict.fromkeys((rng.choice(years), rng.choice(topics)) for _ in range(n * 3)))
    return [f"/proposals/?year={y}&topic={t}" for y, t in pairs[:n]]


def visit(client, url: str, profiler=None) -> float:
    from django.core.cache import cache

    from core import cache as data_cache

    cache.clear()
    data_cache.forget_held_version()
    # The topic tree is cached by every running site; a first visit of a list finds it.
    client.get("/topics/")
    started, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.start()
    response = client.get(url)
    if profiler is not None:
        profiler.stop()
    elapsed = (time.perf_counter() - started) * 1000
    CPU_MS.append((time.process_time() - cpu) * 1000)
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed


def sql_ms(client, url: str) -> float:
    """The SQL time of one first visit, from the connection's query log."""
    from django.core.cache import cache
    from django.db import connection, reset_queries

    cache.clear()
    client.get("/topics/")
    connection.force_debug_cursor = True
    reset_queries()
    client.get(url)
    connection.force_debug_cursor = False
    return sum(float(q["time"]) for q in connection.queries) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    # Hashed names need collectstatic's manifest; the plain storage names the same files.
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PLAIN_STATIC}}
    override_settings(STORAGES=storages).enable()

    client = Client()
    chosen = urls(args.n, args.seed)
    for url in chosen[:10]:  # warm the process: imports, template loading, db pages
        visit(client, url)
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        for url in chosen[:30]:
            visit(client, url, profiler)
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    CPU_MS.clear()
    times = sorted(visit(client, url) for url in chosen)
    cpu = sorted(CPU_MS)
    sql = statistics.median(sql_ms(client, url) for url in chosen[:30])
    print(
        f"{connection.vendor}: {len(times)} first visits of the list with two filters: "
        f"p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, "
        f"max {times[-1]:.1f} ms; CPU p50 {statistics.median(cpu):.1f} ms, "
        f"p95 {cpu[int(0.95 * (len(cpu) - 1))]:.1f} ms; SQL of one visit (median) {sql:.1f} ms"
    )


if __name__ == "__main__":
    main()
