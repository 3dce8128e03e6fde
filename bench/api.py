#!/usr/bin/env python3
"""The API against the HTML list (issue 16), on SQLite at 100k generated proposals.

    .venv/bin/python bench/api.py                      # 100,000 proposals, ~3 minutes
                                                       # (+1 min to generate them once)
    .venv/bin/python bench/api.py --size 10000 --duration 5

Serves the site as production does (gunicorn from config/gunicorn.py, production settings,
a private Redis on loopback) on a database of its own (BENCH_DIR, reused when it holds
the right number of proposals), and measures, in one run on one server:

- H, the rate of /healthz (no database), as the yardstick;
- first visits (nothing cached: every address new) of the HTML list and of the API's
  proposal list for the same filters;
- the rate of a cached API list and a cached HTML list, each as a share of H (wrk);
- deep pages: the API's cursor at depth d (the cursor of the row before, as `next` would
  give it) against the HTML list's page d/25 + 1, each a first visit.

Prints one JSON document and a Markdown table. Stops everything it started.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_bench import PY, ROOT, SECRET_KEY, free_port, get, sh, wrk  # noqa: E402

FILTERS = ["", "body=npc", "year=2020", "year_min=2010&year_max=2015", "status=submitted"]


def prepare(db: Path, size: int) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_DEBUG": "1"}
    if db.exists():
        with sqlite3.connect(db) as conn:
            (have,) = conn.execute(
                "SELECT COUNT(*) FROM proposals_proposal WHERE is_generated"
            ).fetchone()
        if have == size:
            return
        db.unlink()
    sh([PY, "manage.py", "migrate", "-v0"], env=env)
    sh([PY, "manage.py", "load_real_data"], env=env)
    sh([PY, "manage.py", "generate_demo_data", "--proposals", str(size)], env=env)


def cursor_at(db: Path, depth: int) -> str:
    """The cursor `next` gives for the page starting `depth` rows in (newest first)."""
    with sqlite3.connect(db) as conn:
        year, pk = conn.execute(
            "SELECT session_id, id FROM proposals_proposal ORDER BY session_id DESC, id DESC "
            "LIMIT 1 OFFSET ?",
            (depth - 1,),
        ).fetchone()
    return base64.urlsafe_b64encode(f"n:{year},{pk}".encode()).decode().rstrip("=")


def first(base: str, path: str, tries: int, tag: str) -> float:
    """Median ms of `tries` first visits (an ignored parameter makes each address new)."""
    joiner = "&" if "?" in path else "?"
    times = []
    for i in range(tries):
        status, ms = get(f"{base}{path}{joiner}bench={tag}{i}{time.time_ns()}")
        if status != 200:
            sys.exit(f"{path}: status {status}")
        times.append(ms)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--tries", type=int, default=7, help="first visits per address")
    args = parser.parse_args()
    work = Path(os.environ.get("BENCH_DIR", Path(tempfile.gettempdir()) / "bench-api"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"site-{args.size}.sqlite3"
    prepare(db, args.size)

    port, redis_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRACKER_"))},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DATABASE_URL": f"sqlite:///{db}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "TRACKER_SHOW_GENERATED": "1",
        "TRACKER_API_RATE": "1000000/min",
        "TRACKER_BULK_DIR": str(work / "bulk"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_CONTROL_SOCKET": str(work / "gunicorn.ctl"),
    }
    sh([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115 (lives as long as the server)
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if get(base + "/healthz")[0] == 200:
                break
            time.sleep(0.2)
        # Warm: the topic tree, facets' first queries, each worker's imports.
        for _ in range(4):
            get(base + "/proposals/")
            get(base + "/api/v1/proposals/")
        result: dict = {"size": args.size}
        result["H"] = wrk(base + "/healthz", args.duration, args.connections)
        result["first_visit_ms"] = {
            q or "(none)": {
                "html": first(base, f"/proposals/?{q}", args.tries, "h"),
                "api": first(base, f"/api/v1/proposals/?{q}", args.tries, "a"),
            }
            for q in FILTERS
        }
        for name, path in [
            ("api", "/api/v1/proposals/?year=2020"),
            ("html", "/proposals/?year=2020"),
        ]:
            get(base + path)
            result[f"cached_{name}"] = wrk(base + path, args.duration, args.connections)
        h = result["H"]["rps"]
        for name in ("api", "html"):
            result[f"cached_{name}"]["share_of_H"] = round(result[f"cached_{name}"]["rps"] / h, 2)
        depths = [1, 1_000, 10_000, 50_000, args.size - 100]
        result["deep_ms"] = {
            depth: {
                "api": first(
                    base,
                    "/api/v1/proposals/?page_size=25"
                    + (f"&cursor={cursor_at(db, depth)}" if depth > 1 else ""),
                    args.tries,
                    "d",
                ),
                "html": first(base, f"/proposals/?page={depth // 25 + 1}", args.tries, "p"),
            }
            for depth in depths
        }
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=10)
    print(json.dumps(result, indent=1))
    print(
        f"\nH = {h:.0f} requests/s; cached API {result['cached_api']['rps']:.0f}/s "
        f"({result['cached_api']['share_of_H']} H), cached HTML list "
        f"{result['cached_html']['rps']:.0f}/s ({result['cached_html']['share_of_H']} H)\n"
    )
    print("| filter | HTML list, first visit (ms) | API list, first visit (ms) |")
    print("| --- | --- | --- |")
    for q, row in result["first_visit_ms"].items():
        print(f"| `{q}` | {row['html']} | {row['api']} |")
    print("\n| depth (rows) | API cursor page (ms) | HTML page (ms) |")
    print("| --- | --- | --- |")
    for depth, row in result["deep_ms"].items():
        print(f"| {depth:,} | {row['api']} | {row['html']} |")


if __name__ == "__main__":
    main()
