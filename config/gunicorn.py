"""Gunicorn settings shared by the Docker image, deploy/, the deploy tests and the benches.

Every value can be overridden from the environment; the defaults are what production runs.
"""

from __future__ import annotations

import os
from pathlib import Path

_host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104 (the container's own interface)
_port = os.environ.get("PORT", "8000")
bind = f"{_host}:{_port}"

# Workers chosen by measurement: see WORKER_FIGURES below and docs/reliability.md.
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
