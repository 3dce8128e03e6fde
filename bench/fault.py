#!/usr/bin/env python3
"""Fault harness: the two-node stack under a realistic load, through faults.

    .venv/bin/python bench/fault.py --size 100000                 # the full run (~10 min)
    .venv/bin/python bench/fault.py --size 10000 --soak 30 --phase 30   # a short try

It runs on servers of its own: a PostgreSQL database of generated proposals
(`tracker_fault_<size>`, kept for the next run), a private Redis, and deploy/stack.sh's two
gunicorn nodes behind nginx, all on loopback. wrk sends the mix of bench/mix.py (cached and
uncached pages, searches, exports, trend JSON; 15% uncached) at 64 connections through
nginx, phase by phase:

    warm-up      the caches fill
    soak         steady load (5 minutes by default)
    node kill    kill -9 of node 1 (master and workers) a third of the way in; started
                 again two thirds of the way in
    db kill      pg_terminate_backend of every connection to the database, a third and two
                 thirds of the way in
    redis down   the private Redis stopped a third of the way in, for the rest of the phase
    recovery     Redis started again: the site must serve as before

For each phase it prints requests, answers by status, socket errors, p50/p99/max, how many
requests nginx retried on the other node, and what happened when; then the goals (0 failed
requests through the node kill; at most the in-flight requests when connections are
terminated; 0 server errors with Redis down) as met or missed. Every process it starts is
stopped at the end, even on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mix  # noqa: E402
from servers import (  # noqa: E402
    Servers,
    Stack,
    app_env,
    at_times,
    ensure_tools,
    prepare_dataset,
    psql,
    status_of,
)


def terminate_connections(db: str) -> str:
    """pg_terminate_backend of every connection to the database but this one."""
    row = psql(
        "postgres",
        "SELECT count(*), count(*) FILTER (WHERE state <> 'idle'), "
        "count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname = '{db}' AND pid <> pg_backend_pid()",
    )
    total, busy, ended = row.split("|")
    return f"{ended} of {total} connections terminated, {busy} of them not idle"


def nginx_figures(lines: list[str]) -> dict:
    """From nginx's access log: answers by status, retries on the other node, and the
    paths (by kind) of server errors."""
    statuses: dict[str, int] = {}
    retried = 0
    errors_by_kind: dict[str, int] = {}
    for line in lines:
        found = re.search(r'"GET (\S+) [^"]*" (\d{3}) .* ua="([^"]*)"', line)
        if not found:
            continue
        path, status, upstreams = found.groups()
        statuses[status] = statuses.get(status, 0) + 1
        retried += "," in upstreams
        if status.startswith("5"):
            kind = path.split("?")[0].strip("/").split("/")[0] or "dashboard"
            kind += "?" if "?" in path else ""
            errors_by_kind[kind] = errors_by_kind.get(kind, 0) + 1
    return {"statuses": statuses, "retried": retried, "errors_by_kind": errors_by_kind}


class Run:
    def __init__(self, args: argparse.Namespace, stack: Stack, the_mix: mix.Mix) -> None:
        self.args = args
        self.stack = stack
        self.mix = the_mix
        self.offset = 0
        self.phases: list[dict] = []
        self.workers = stack.workers()

    def node_logs(self) -> dict[Path, int]:
        return {path: path.stat().st_size for path in self.stack.folder.glob("web?.log")}

    def exceptions_since(self, sizes: dict[Path, int]) -> dict[str, int]:
        """The exceptions the nodes logged (last line of each traceback) since `sizes`."""
        found: dict[str, int] = {}
        for path in self.stack.folder.glob("web?.log"):
            with path.open("rb") as log:
                log.seek(sizes.get(path, 0))
                text = log.read().decode(errors="replace")
            for match in re.finditer(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)):", text, re.M):
                found[match.group(1)] = found.get(match.group(1), 0) + 1
        return found

    def phase(self, name: str, seconds: int, actions: list | None = None) -> dict:
        print(f"  {name}: {seconds} s ...", flush=True)
        logs = self.node_logs()
        start = self.stack.log_size()
        with at_times(actions or []) as events:
            figures = mix.run(
                self.stack.base,
                self.mix,
                seconds,
                self.args.connections,
                self.args.cold_share,
                self.offset,
            )
        self.offset += figures["cold_sent"] + 2
        figures.update(nginx_figures(self.stack.log_between(start, self.stack.log_size())))
        if figures["errors"]:
            kinds = ("connect", "read", "write", "timeout")
            events.append("socket errors: " + ", ".join(f"{k} {figures[k]}" for k in kinds))
        if raised := self.exceptions_since(logs):
            events.append(f"the nodes logged {raised}")
        # 499 is nginx's word for a client that hung up first: wrk closing its connections
        # at the end of a phase, with up to one request in flight on each (wrk counts none).
        odd = {k: n for k, n in figures["statuses"].items() if k not in ("200", "499")}
        if odd:
            events.append(f"nginx answered {odd} (other than 200)")
        figures.update(name=name, events=events)
        self.phases.append(figures)
        print(
            f"    {figures['requests']:,} requests, {mix.failed(figures)} failed "
            f"({figures['s5xx']} 5xx, {figures['s429']} 429, {figures['errors']} socket errors), "
            f"p99 {figures['p99_ms']:.0f} ms, {figures['retried']} retried by nginx",
            flush=True,
        )
        for event in events:
            print(f"    {event}", flush=True)
        return figures


def report(run: Run, args: argparse.Namespace, db: str) -> str:
    lines = [
        f"Fault harness: {args.size:,} generated proposals (+ the real data), two nodes "
        f"({run.workers}) behind nginx, "
        f"{args.connections} connections, {args.cold_share:.0%} uncached; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end, "
        f"PostgreSQL {psql('postgres', 'SHOW server_version')}.",
        "",
        "| phase | s | requests | req/s | 2xx | 429 | other 4xx | 5xx | socket errors "
        "| p50 ms | p99 ms | max ms | retried by nginx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in run.phases:
        lines.append(
            f"| {p['name']} | {p['seconds']:.0f} | {p['requests']:,} | {p['rps']:.0f} | "
            f"{p['s2xx']:,} | {p['s429']} | {p['s3xx'] + p['s4xx']} | {p['s5xx']} | {p['errors']} | "
            f"{p['p50_ms']:.0f} | {p['p99_ms']:.0f} | {p['max_ms']:.0f} | {p['retried']} |"
        )
    lines += ["", "What happened when (seconds into the phase):", ""]
    for p in run.phases:
        for event in p["events"]:
            lines.append(f"- {p['name']}, {event}")
        if p["errors_by_kind"]:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(p["errors_by_kind"].items()))
            lines.append(f"- {p['name']}: server errors by page ({kinds})")
    by_name = {p["name"]: p for p in run.phases}
    lines += ["", "Goals:", ""]

    def goal(text: str, value: int, limit: int) -> None:
        verdict = "met" if value <= limit else f"missed by {value - limit}"
        lines.append(f"- {text}: {value} (goal at most {limit}): {verdict}")

    if "node kill" in by_name:
        goal("failed requests through the node kill", mix.failed(by_name["node kill"]), 0)
    if "db kill" in by_name:
        p = by_name["db kill"]
        # A connection serves one request at a time: each one ended had at most one in
        # flight (an idle one may be between two queries of a request, so all count).
        in_flight = sum(
            int(m.group(1))
            for e in p["events"]
            for m in [re.search(r"(\d+) of \d+ connections terminated", e)]
            if m
        )
        goal("failed requests when connections were terminated", mix.failed(p), in_flight)
    if "redis down" in by_name:
        goal("server errors with Redis down", by_name["redis down"]["s5xx"], 0)
    if any(p["s429"] for p in run.phases):
        lines.append(
            "- Some answers were 429 (the rate limit): they count as failed above; "
            "one client sends all of this load."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="generated proposals")
    parser.add_argument("--soak", type=int, default=300, help="seconds of steady load")
    parser.add_argument("--phase", type=int, default=60, help="seconds of each fault phase")
    parser.add_argument("--warm", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--cold-share", type=float, default=0.15)
    parser.add_argument("--ports", default="8190,8191,8192,8193", help="nginx,web1,web2,redis")
    parser.add_argument("--workers", type=int, help="per node (default: config/gunicorn.py's)")
    parser.add_argument("--worker-class", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, help="per gthread worker")
    parser.add_argument("--output", type=Path, help="also write the report (Markdown) here")
    args = parser.parse_args()
    nginx_port, web1, web2, redis_port = (int(p) for p in args.ports.split(","))
    ensure_tools()

    print(f"== dataset of {args.size:,} generated proposals", flush=True)
    db = prepare_dataset("tracker_fault", args.size)
    with Servers() as servers:
        redis = servers.redis(redis_port)
        env = app_env(db, redis.url, servers.secret)
        for name, value in (
            ("WEB_CONCURRENCY", args.workers),
            ("GUNICORN_WORKER_CLASS", args.worker_class),
            ("GUNICORN_THREADS", args.threads),
        ):
            if value:
                env[name] = str(value)
        stack = servers.stack(env, {"NGINX_PORT": nginx_port, "WEB1_PORT": web1, "WEB2_PORT": web2})
        the_mix = mix.pick(db, servers.folder / "mix")
        print(f"  stack at {stack.base}; cold paths: {the_mix.cold_count:,}", flush=True)
        if bad := mix.check(stack.base, the_mix):
            sys.exit("These paths of the mix do not answer 200:\n" + "\n".join(bad))
        run = Run(args, stack, the_mix)
        third = args.phase / 3

        def probes() -> str:
            return (
                f"/healthz {status_of(stack.base + '/healthz')}, "
                f"/readyz {status_of(stack.base + '/readyz')}, / {status_of(stack.base + '/')}"
            )

        run.phase("warm-up", args.warm)
        run.phase("soak", args.soak)
        run.phase(
            "node kill",
            args.phase,
            [
                (third, "kill -9 of node 1", lambda: stack.kill_node(1)),
                (2 * third, "node 1 started again", lambda: stack.start_node(1)),
            ],
        )
        run.phase(
            "db kill",
            args.phase,
            [
                (third, "pg_terminate_backend", lambda: terminate_connections(db)),
                (2 * third, "pg_terminate_backend", lambda: terminate_connections(db)),
            ],
        )
        run.phase(
            "redis down",
            args.phase,
            [
                (third, "Redis stopped", redis.stop),
                (third + 5, "probes", probes),
            ],
        )
        redis.start()
        time.sleep(2)
        run.phase("recovery", max(10, int(third)), [(1, "probes", probes)])
        text = report(run, args, db)
    print("\n" + text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
