#!/usr/bin/env python3
"""Gunicorn's worker class and count, chosen by measurement (issue 17, defect 10).

    .venv/bin/python bench/workers.py                  # 100k, 60 s per setting, 3 rounds
    .venv/bin/python bench/workers.py --size 10000 --seconds 15 --rounds 1   # a short try

One gunicorn node (config/gunicorn.py) serves a database of generated proposals with its
own Redis, on loopback; for each setting (sync and gthread, 2 to 5 workers) the cache is
emptied, every hot page is asked once and the hot mix runs for a warm-up, then wrk sends
the 64-connection mix with 15% uncached requests (bench/mix.py). It prints the Markdown
table config/gunicorn.py's comment and docs/reliability.md quote. Every server it starts is stopped at the end, even on failure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mix  # noqa: E402
from servers import Servers, app_env, ensure_tools, prepare_dataset, psql  # noqa: E402


def rss_mb(master: int) -> float:
    """Resident memory of the master and its workers."""
    pids = [str(master)] + subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True
    ).stdout.split()
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        total += int(next(ln for ln in status.splitlines() if ln.startswith("VmRSS")).split()[1])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="generated proposals")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per setting")
    parser.add_argument("--warm", type=int, default=10, help="warm-up seconds per setting")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--cold-share", type=float, default=0.15)
    parser.add_argument("--classes", default="sync,gthread")
    parser.add_argument("--workers", default="2,3,4,5")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every setting")
    parser.add_argument("--port", type=int, default=8175)
    parser.add_argument("--redis-port", type=int, default=8176)
    args = parser.parse_args()
    ensure_tools()

    print(f"== dataset of {args.size:,} generated proposals", flush=True)
    db = prepare_dataset("tracker_fault", args.size)
    settings = [
        (worker_class, int(workers))
        for worker_class in args.classes.split(",")
        for workers in args.workers.split(",")
    ]
    runs: dict[tuple[str, int], list[dict]] = {setting: [] for setting in settings}
    with Servers() as servers:
        redis = servers.redis(args.redis_port)
        the_mix = mix.pick(db, servers.folder / "mix")
        print(f"  cold paths: {the_mix.cold_count:,} ({the_mix.kinds})", flush=True)
        base_env = servers.collectstatic(app_env(db, redis.url, servers.secret))
        offset = 0
        checked = False
        # Rounds in alternating order: on a machine whose pace drifts, each setting sees
        # the early and the late part of the run alike.
        for round_ in range(args.rounds):
            for worker_class, workers in settings if round_ % 2 == 0 else settings[::-1]:
                threads = args.threads if worker_class == "gthread" else 1
                env = dict(
                    base_env,
                    WEB_CONCURRENCY=str(workers),
                    GUNICORN_WORKER_CLASS=worker_class,
                    GUNICORN_THREADS=str(threads),
                )
                redis.flush()
                with Servers() as one:  # this setting's node, stopped before the next
                    node = one.node(env, args.port, name=f"{worker_class}{workers}")
                    base = f"http://127.0.0.1:{args.port}"
                    if not checked and (bad := mix.check(base, the_mix)):
                        sys.exit("These paths of the mix do not answer 200:\n" + "\n".join(bad))
                    checked = True
                    mix.warm(base, the_mix)
                    mix.run(base, the_mix, args.warm, args.connections, cold_share=0)
                    r = mix.run(
                        base, the_mix, args.seconds, args.connections, args.cold_share, offset
                    )
                    offset += r["cold_sent"] + 2
                    r.update(threads=threads, rss=rss_mb(node.pid), load=os.getloadavg()[0])
                runs[(worker_class, workers)].append(r)
                print(
                    f"  round {round_ + 1}: {worker_class:7} {workers} x {threads}: "
                    f"{r['rps']:6.1f} req/s  p50 {r['p50_ms']:7.1f}  p99 {r['p99_ms']:7.1f} ms  "
                    f"failed {mix.failed(r)}  (load {r['load']:.1f})",
                    flush=True,
                )
                time.sleep(2)  # let the database's connections of the last node close

    machine = (
        f"{os.cpu_count()} cores, {os.getloadavg()[0]:.1f} load average at the end, "
        f"PostgreSQL {psql('postgres', 'SHOW server_version')}"
    )
    print(
        f"\nWorkers under the mix ({args.size:,} generated proposals, {args.connections} "
        f"connections, {args.cold_share:.0%} uncached, {args.seconds} s per setting after "
        f"{args.warm} s warm-up, {args.rounds} rounds; {machine}):\n"
    )
    print(
        "| class | workers × threads | req/s | p50 ms | p90 ms | p99 ms | worst p99 ms "
        "| max ms | failed | RSS MB |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (worker_class, workers), rs in runs.items():
        if not rs:
            continue
        med = {
            key: statistics.median(r[key] for r in rs)
            for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "rss")
        }
        print(
            f"| {worker_class} | {workers} × {rs[0]['threads']} | {med['rps']:.0f} | "
            f"{med['p50_ms']:.0f} | {med['p90_ms']:.0f} | {med['p99_ms']:.0f} | "
            f"{max(r['p99_ms'] for r in rs):.0f} | {max(r['max_ms'] for r in rs):.0f} | "
            f"{sum(mix.failed(r) for r in rs)} | {med['rss']:.0f} |"
        )
    print(
        f"\nMedians over {args.rounds} round(s); worst p99 and max over all of them; failed "
        "counts every non-2xx answer and socket error."
    )
    print("\n" + choice(runs))


def choice(runs: dict[tuple[str, int], list[dict]]) -> str:
    """The rule the default follows: no failures; the lowest median p99, where settings
    within 10% of it count as equal and the higher median rate wins; then fewer workers."""
    rows = [
        (statistics.median(r["p99_ms"] for r in rs), statistics.median(r["rps"] for r in rs), key)
        for key, rs in runs.items()
        if rs and not any(mix.failed(r) for r in rs)
    ]
    if not rows:
        return "No setting served the mix without failures."
    best_p99 = min(p99 for p99, _, _ in rows)
    near = [row for row in rows if row[0] <= best_p99 * 1.1]
    p99, rps, (worker_class, workers) = max(near, key=lambda row: (row[1], -row[2][1]))
    return (
        f"Chosen by the rule (lowest median p99, within 10% the higher rate, then fewer "
        f"workers): {worker_class}, {workers} workers (p99 {p99:.0f} ms, {rps:.0f} req/s)."
    )


if __name__ == "__main__":
    main()
