"""Gunicorn settings shared by the Docker image, deploy/, the deploy tests and the benches.

Every value can be overridden from the environment; the defaults are what production runs.
"""

from __future__ import annotations

import os
from pathlib import Path

_host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104 (the container's own interface)
_port = os.environ.get("PORT", "8000")
bind = f"{_host}:{_port}"

# Workers chosen by measurement (bench/workers.py; docs/reliability.md, "Workers"): one node,
# 100k generated proposals, wrk at 64 connections with 15% uncached requests, 3 rounds of
# 20 s in alternating order, medians (short runs on a shared 2-core machine, load 7.5-12.8):
#
#   class    workers x threads  req/s  p50 ms  p99 ms  worst p99 ms
#   sync     2 x 1                 62     946    1918          2747
#   sync     3 x 1                 46    1332    2176          2664
#   gthread  2 x 4                 63     971    2445          4142
#   gthread  3 x 4                 47    1184    3436          4962
#
# and in an earlier pair of rounds 4 and 5 workers of either class were slower still (p99
# 9-16 s). With both cores busy, a node gains nothing from more processes than cores, and
# threads share one interpreter lock: a fast cached page waits behind a slow uncached one
# inside the worker instead of in the queue, which lengthens the tail (p99) at the same
# rate. So: 2 sync workers, the setting with the lowest p99 (the rule workers.py prints).
# The integrator reruns the figures on a quiet machine, where idle waits on PostgreSQL may
# favour a third worker; change the two defaults here (and tests/deploy) if it says so.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500


def _control_socket() -> str:
    """One control socket per instance.

    Gunicorn 27's default (`$XDG_RUNTIME_DIR/gunicorn.ctl`, else `~/.gunicorn/gunicorn.ctl`)
    is one path for every instance a user runs on a host: the second instance unlinks the
    first one's socket and binds its own there, so `gunicornc` commands meant for one node
    (show workers, worker remove, shutdown) reach the other, and the first to stop deletes
    the socket the other still serves. The path here is named after the address bound, which
    no two running instances share.
    """
    explicit = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
    if explicit:
        return explicit
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    folder = Path(runtime) if runtime and Path(runtime).is_dir() else Path.home() / ".gunicorn"
    return str(folder / f"gunicorn-{_host}-{_port}.ctl")


control_socket = _control_socket()
