"""First visits of full-text searches, nothing cached: one gunicorn node (one worker,
production settings, the local-memory cache, so no page is served from a cache) on an
existing database, each search URL asked once, in sequence.

    .venv/bin/python bench/search_bench.py --database tracker_search_1m   # PostgreSQL
    .venv/bin/python bench/search_bench.py --sqlite /path/to/db.sqlite3

The searches: the words `run_bench.py` asks ("list, q": the first word of every
sub-topic's slug), Chinese words and people's names in the forms issue 15 names. Prints
p50, p95 and max per group, and the slowest URLs. Generate the data first
(`manage.py generate_demo_data --proposals N`); this script writes nothing.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_bench import get  # noqa: E402
from servers import PG, Servers, app_env, free_port, psql  # noqa: E402

CHINESE = ["电池", "人工智能", "数据", "新能源", "芯片", "碳中和", "医疗", "教育", "汽车", "储能"]
NAMES = ["leijun", "lei jun", "Léi Jūn", "雷军", "Ma Huateng", "马化腾", "xiaomi", "Zhou Hongyi"]


def topic_words(rows: list[str]) -> list[str]:
    return sorted({slug.split("-")[0] for slug in rows})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database", help="PostgreSQL database name")
    where.add_argument("--sqlite", type=Path, help="SQLite file")
    args = parser.parse_args()
    query = "SELECT slug FROM topics_topic WHERE parent_id IS NOT NULL"
    if args.database:
        url = f"{PG}/{args.database}"
        slugs = psql(args.database, query).split()
    else:
        url = f"sqlite:///{args.sqlite.resolve()}"
        with sqlite3.connect(args.sqlite) as db:
            slugs = [row[0] for row in db.execute(query)]
    groups = {"topic words": topic_words(slugs), "Chinese words": CHINESE, "names": NAMES}
    with Servers() as servers:
        env = app_env(args.database or "unused", None, servers.secret, WEB_CONCURRENCY="1")
        env["DATABASE_URL"] = url
        env = servers.collectstatic(env)
        port = free_port()
        servers.node(env, port)
        base = f"http://127.0.0.1:{port}"
        get(base + "/proposals/?q=warmup")  # the worker's imports and jieba's dictionary
        slowest: list[tuple[float, str]] = []
        for name, words in groups.items():
            times = []
            for word in words:
                path = "/proposals/?" + urllib.parse.urlencode({"q": word})
                status, ms = get(base + path)
                if status != 200:
                    print(f"  {status} {path}")
                times.append(ms)
                slowest.append((ms, path))
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            print(
                f"{name:14} n={len(times):3}  p50 {statistics.median(times):7.1f} ms"
                f"  p95 {p95:7.1f} ms  max {times[-1]:7.1f} ms",
                flush=True,
            )
        every = sorted(t for t, _ in slowest)
        print(
            f"{'all':14} n={len(every):3}  p50 {statistics.median(every):7.1f} ms"
            f"  p95 {every[int(0.95 * (len(every) - 1))]:7.1f} ms  max {every[-1]:7.1f} ms"
        )
        print("slowest:", ", ".join(f"{p} {t:.0f} ms" for t, p in sorted(slowest)[-5:]))


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.stderr or str(exc))
