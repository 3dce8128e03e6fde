#!/usr/bin/env python3
"""Benchmark harness: datasets of 10k, 100k and 1M generated proposals on PostgreSQL,
served by gunicorn with production settings, loaded by wrk on loopback.

    .venv/bin/python bench/run_bench.py                   # all three sizes
    .venv/bin/python bench/run_bench.py --sizes 10000     # one size, quicker
    .venv/bin/python bench/run_bench.py --duration 5 --connections 8

For each dataset it prints a table of requests per second, p50/p95/p99 latency,
queries per request and each rate's ratio to H (the rate of /healthz, which touches no
database, served by the same gunicorn in the same run), plus first-visit (uncached)
latencies, the full-text search plan, and each worker's memory after the run.
Datasets live in databases named tracker_bench_<size> and are reused when they already
hold the right number of generated proposals. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG = "postgres://postgres@127.0.0.1:5432"
REPORTER = str(ROOT / "bench" / "report.lua")
SEED = 1
# One key for every process of a run: sessions made by one must be valid in the others.
SECRET_KEY = "bench-" + secrets.token_urlsafe(32)
# collectstatic's output, shared by every process the harness starts (manifest storage).
STATIC_ROOT = tempfile.mkdtemp(prefix="bench-static-")


def sh(cmd: list[str], env: dict | None = None, check: bool = True, **kw) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, **kw)
    if check and result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_services() -> None:
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode != 0:
        version = os.listdir("/etc/postgresql")[0]
        sh(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode:
        sh(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
        )
    if not shutil.which("wrk"):
        print("Installing wrk from Debian's packages...", flush=True)
        sh(["apt-get", "update", "-qq"])
        sh(["apt-get", "install", "-y", "-qq", "wrk"])


def psql(db: str, sql: str) -> str:
    return sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql]).strip()


def env_for(db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        TRACKER_SHOW_GENERATED="1",
        CONN_MAX_AGE="600",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DJANGO_STATIC_ROOT=STATIC_ROOT,
        # One load generator is one client: the per-client limits on uncached renders
        # (core.throttle) and on the API are raised far above the load, so they are
        # counted but never refuse (with the defaults wrk's first second got 429s).
        TRACKER_UNCACHED_RATE="10000000/m",
        TRACKER_API_RATE="10000000/min",
    )
    env.update(extra)
    return env


def prepare_dataset(size: int) -> str:
    """Create or reuse tracker_bench_<size> holding `size` generated proposals."""
    db = f"tracker_bench_{size}"
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
    if not exists:
        sh(["createdb", "-h", "127.0.0.1", "-U", "postgres", db])
    env = env_for(db)
    sh([PY, "manage.py", "migrate", "--noinput"], env=env)
    sh([PY, "manage.py", "load_real_data"], env=env)
    have = int(psql(db, "SELECT count(*) FROM proposals_proposal WHERE is_generated"))
    if have != size:
        print(f"  generating {size:,} proposals (had {have:,})...", flush=True)
        started = time.monotonic()
        if have:
            sh([PY, "manage.py", "generate_demo_data", "--remove"], env=env)
        sh(
            [
                PY,
                "manage.py",
                "generate_demo_data",
                "--proposals",
                str(size),
                "--seed",
                str(SEED),
                "--verbosity",
                "0",
            ],
            env=env,
        )
        print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)
    psql(db, "VACUUM ANALYZE")
    return db


def pick_urls(db: str) -> dict[str, str]:
    """Concrete pages from the dataset: a busy year and topic, a real record of each kind."""
    year = int(
        psql(
            db,
            "SELECT session_id FROM proposals_proposal GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        )
    )
    topic = psql(
        db,
        "SELECT t.slug FROM topics_topic t JOIN proposals_proposaltopic pt "
        "ON pt.topic_id = t.id WHERE t.parent_id IS NOT NULL GROUP BY t.slug "
        "ORDER BY count(*) DESC LIMIT 1",
    )
    proposal = psql(
        db, "SELECT id FROM proposals_proposal WHERE is_generated ORDER BY id LIMIT 1 OFFSET 1000"
    )
    delegate = psql(
        db,
        "SELECT d.slug FROM delegates_delegate d JOIN proposals_proposal p "
        "ON p.delegate_id = d.id GROUP BY d.slug ORDER BY count(*) DESC LIMIT 1",
    )
    total = int(psql(db, "SELECT count(*) FROM proposals_proposal"))
    word = psql(
        db,
        "SELECT split_part(title, ' ', 1) FROM proposals_proposal "
        "WHERE is_generated LIMIT 1 OFFSET 500",
    ).lower()
    deep = min(100_000 // 25 + 1, max(1, total // 25))
    return {
        "dashboard": "/",
        "list": "/proposals/",
        "list, two filters": f"/proposals/?year={year}&topic={topic}",
        "list, q": f"/proposals/?q={word}",
        "list, deep page": f"/proposals/?page={deep}",
        "proposal": f"/proposals/{proposal}/",
        "delegate": f"/delegates/{delegate}/",
        "topic": f"/topics/{topic}/",
        "trend JSON": "/trends/topics.json",
        "CSV export, filtered": f"/proposals/export.csv?year={year}&topic={topic}",
        "admin changelist": "/admin/proposals/proposal/",
    }


def staff_cookie(db: str) -> str:
    """A logged-in staff session for the admin page, made in the dataset's database."""
    code = (
        "from django.contrib.auth.models import User;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "u, _ = User.objects.get_or_create(username='bench', defaults={'is_staff': True, "
        "'is_superuser': True});"
        "s = SessionStore(); s['_auth_user_id'] = str(u.pk);"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
    )
    key = sh([PY, "manage.py", "shell", "-c", code], env=env_for(db)).strip().splitlines()[-1]
    return f"sessionid={key}"


def count_queries(db: str, urls: dict[str, str], cookie: str) -> dict[str, int]:
    """Queries per request, counted in-process against the same database (second request,
    so caches are warm as they are under load)."""
    code = f"""
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
client.cookies['sessionid'] = {cookie.split("=", 1)[1]!r}
out = {{}}
for name, url in json.loads({json.dumps(json.dumps(urls))}).items():
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    out[name] = len(ctx)
print(json.dumps(out))
"""
    text = sh([PY, "manage.py", "shell", "-c", code], env=env_for(db))
    return json.loads(text.strip().splitlines()[-1])


def search_plan(db: str, word: str) -> str:
    code = (
        "from proposals.models import Proposal;"
        f"print(Proposal.objects.visible().search({word!r}).by_relevance()[:25].explain())"
    )
    return sh([PY, "manage.py", "shell", "-c", code], env=env_for(db))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # report the 3xx itself: a redirect is not the page asked for


OPENER = urllib.request.build_opener(_NoRedirect)


def get(url: str, headers: dict | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, http.client.HTTPException):
        status = 0  # no answer (a worker killed by its timeout): counted, not fatal
    return status, (time.perf_counter() - started) * 1000


def wrk(url: str, duration: int, connections: int, cookie: str | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", REPORTER, url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = sh(cmd)
    return json.loads(next(line for line in out.splitlines() if line.startswith("{")))


def first_visits(base: str, urls: list[str]) -> dict:
    """Latency of URLs seen for the first time: the cache is flushed before the run and
    no URL repeats."""
    sh(["redis-cli", "-h", "127.0.0.1", "-n", "3", "FLUSHDB"])
    times, bad = [], 0
    for url in urls:
        status, ms = get(base + url)
        bad += status != 200
        times.append(ms)
    times.sort()
    return {
        "n": len(times),
        "max_ms": times[-1],
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "non_2xx": bad,
    }


def worker_rss_mb(master_pid: int) -> list[float]:
    children = sh(["pgrep", "-P", str(master_pid)], check=False).split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
        sizes.append(kb / 1024)
    return sizes


def run_size(size: int, args: argparse.Namespace) -> dict:
    print(f"\n== {size:,} generated proposals", flush=True)
    db = prepare_dataset(size)
    urls = pick_urls(db)
    cookie = staff_cookie(db)
    queries = count_queries(db, urls, cookie)
    word = urls["list, q"].split("q=", 1)[1]
    plan = search_plan(db, word)
    port = free_port()
    env = env_for(
        db,
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY=str(args.workers),
        GUNICORN_ACCESSLOG="",
        # No recycling mid-run: it would add restarts to the latencies and leave fresh
        # workers for the memory reading.
        GUNICORN_MAX_REQUESTS="0",
    )
    sh(["redis-cli", "-h", "127.0.0.1", "-n", "3", "FLUSHDB"])
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # get() answers 0 while nothing listens yet: wait for a 200, or stop.
        for _ in range(150):
            if get(base + "/healthz")[0] == 200:
                break
            time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer {base}/healthz within 30 s")
        rng = random.Random(SEED)
        years = [
            int(y)
            for y in psql(db, "SELECT year FROM delegates_annualsession ORDER BY year").split()
        ]
        topics = psql(db, "SELECT slug FROM topics_topic WHERE parent_id IS NOT NULL").split()
        combos = list({(rng.choice(years), rng.choice(topics)) for _ in range(400)})[:150]
        last_page = int(psql(db, "SELECT count(*) FROM proposals_proposal")) // 25
        # Past offset 100,000 where the data has that many; else its last tenth.
        low = min(100_000 // 25 + 1, last_page * 9 // 10)
        deep_pages = list(range(low, last_page + 1))
        first = {
            "list, two filters": first_visits(
                base, [f"/proposals/?year={y}&topic={t}" for y, t in combos]
            ),
            "trend JSON": first_visits(
                base, [f"/trends/topics.json?topic={t}&year_min={y}" for y, t in combos]
            ),
            # Deep pages against shallow ones, both uncached: the list's facets are
            # counted by the first request and cached, so these time the page itself.
            "list, pages 2-61": first_visits(base, [f"/proposals/?page={n}" for n in range(2, 62)]),
            "list, deep pages": first_visits(
                base,
                [f"/proposals/?page={n}" for n in rng.sample(deep_pages, min(60, len(deep_pages)))],
            ),
            "list, q": first_visits(
                base, [f"/proposals/?q={w}" for w in sorted({t.split("-")[0] for t in topics})]
            ),
            "proposal": first_visits(
                base,
                [
                    f"/proposals/{pk}/"
                    for pk in psql(
                        db,
                        "SELECT id FROM proposals_proposal TABLESAMPLE SYSTEM (1) "
                        "REPEATABLE (1) LIMIT 150",
                    ).split()
                ],
            ),
        }
        results = {}
        for name in ["healthz", *urls]:
            url = base + ("/healthz" if name == "healthz" else urls[name])
            headers = {"Cookie": cookie} if name == "admin changelist" else None
            for _ in range(3):  # warm the caches and connections, as a live site is
                status, _ = get(url, headers)
            if status != 200:  # wrk counts redirects as successes: never measure one
                sys.exit(f"{name}: {url} answered {status}, not 200")
            results[name] = wrk(
                url, args.duration, args.connections, cookie if name == "admin changelist" else None
            )
            r = results[name]
            print(
                f"  {name:24} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
                f"p99 {r['p99_ms']:7.1f} ms",
                flush=True,
            )
        # H again at the end: the machine's pace drifts over a run, and a low H would
        # flatter every ratio. The higher of the two is used.
        h_start = results["healthz"]["rps"]
        h_end = wrk(base + "/healthz", args.duration, args.connections)
        if h_end["rps"] > h_start:
            results["healthz"] = h_end
        print(f"  healthz at the end         {h_end['rps']:8.1f} req/s", flush=True)
        rss = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "size": size,
        "h_runs": (h_start, h_end["rps"]),
        "urls": urls,
        "queries": queries,
        "results": results,
        "first": first,
        "rss_mb": rss,
        "seq_scan": "Seq Scan on proposals_proposal" in plan,
        "plan": plan,
    }


def table(run: dict) -> str:
    h = run["results"]["healthz"]["rps"]
    lines = [
        f"### {run['size']:,} generated proposals (+188 real)",
        "",
        f"H = {h:.0f} req/s, the higher of `/healthz` before the pages "
        f"({run['h_runs'][0]:.0f}) and after them ({run['h_runs'][1]:.0f}).",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | queries | × H | KB | non-2xx | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in run["results"].items():
        q = "0" if name == "healthz" else str(run["queries"].get(name, "?"))
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {q} | {r['rps'] / h:.2f} | {r['bytes_per_response'] / 1024:.0f} | "
            f"{r['non_2xx']} | {r['errors']} |"
        )
    lines += ["", "First visits (cache flushed, every URL distinct):", ""]
    for name, f in run["first"].items():
        lines.append(
            f"- {name}: {f['n']} URLs, p50 {f['p50_ms']:.1f} ms, "
            f"p95 {f['p95_ms']:.1f} ms, max {f['max_ms']:.0f} ms, non-2xx {f['non_2xx']}"
        )
    lines += [
        "",
        f"- Pages measured: {', '.join(f'{k} `{v}`' for k, v in run['urls'].items())}",
        f"- Full-text search plan uses a sequential scan of proposals: {run['seq_scan']}",
        f"- Worker memory after the run (RSS): {', '.join(f'{m:.0f} MB' for m in run['rss_mb'])}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, help="also write the tables (Markdown) here")
    args = parser.parse_args()
    ensure_services()

    sh(
        [PY, "manage.py", "collectstatic", "--noinput"],
        env=env_for("postgres"),
    )
    machine = (
        f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{psql('postgres', 'SHOW server_version')} PostgreSQL"
    )
    report = [
        f"Machine: {machine}. wrk: 2 threads, {args.connections} connections, "
        f"{args.duration} s per page; gunicorn: {args.workers} workers.",
        "",
    ]
    runs = []
    for size in args.sizes.split(","):
        runs.append(run_size(int(size), args))
        report.append(table(runs[-1]))
        print("\n" + report[-1], flush=True)
        if args.output:  # after each size: a failure later keeps what was measured
            args.output.write_text("\n".join(report) + "\n", encoding="utf-8")
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        report.append(f"Scale flatness (rate at {last['size']:,} ÷ rate at {first['size']:,}):")
        report.append("")
        for name, r in last["results"].items():
            if name in first["results"]:
                before = first["results"][name]
                ratio = r["rps"] / before["rps"]
                # A response that grew with the data (an export of a set that grew) is
                # also compared per byte: its rate can only fall as its size rises.
                grown = r["bytes_per_response"] / max(before["bytes_per_response"], 1)
                per_byte = f"; response {grown:.0f}× larger, bytes/s {ratio * grown:.2f}×"
                report.append(f"- {name}: {ratio:.2f}" + (per_byte if grown >= 2 else ""))
    text = "\n".join(report)
    print("\n" + text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
