"""config/gunicorn.py as gunicorn reads it: two instances on one host each get their own
control socket (issue 17, defect 9), and the workers are the ones measured."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
GUNICORNC = str(Path(sys.executable).with_name("gunicornc"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "GUNICORN_", "XDG_"))
    }
    # One HOME for both, as two instances run by one user on one host have.
    env.update(
        HOME=str(home),
        HOST="127.0.0.1",
        PORT=str(port),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESSLOG="",
    )
    return env


def _start(home: Path, log: Path, **extra: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=BASE,
        env=_env(home, port) | extra,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    pytest.fail(f"gunicorn on {port} did not answer /healthz:\n{log.read_text()}")


def _socket_of(log: Path) -> str:
    for _ in range(50):
        found = re.search(r"Control socket listening at (\S+)", log.read_text())
        if found:
            return found.group(1)
        time.sleep(0.1)
    pytest.fail(f"no control socket in the log:\n{log.read_text()}")


def _ctl(path: str, command: str) -> dict:
    result = subprocess.run(
        [GUNICORNC, "-s", path, "-c", command, "-j"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_two_instances_on_one_host_each_answer_on_their_own_control_socket(tmp_path):
    first, first_port = _start(tmp_path, tmp_path / "first.log")
    second = None
    try:
        second, second_port = _start(tmp_path, tmp_path / "second.log")
        first_socket = _socket_of(tmp_path / "first.log")
        second_socket = _socket_of(tmp_path / "second.log")
        assert first_socket != second_socket
        # Each socket is its own instance's master, not whichever started last.
        assert _ctl(first_socket, "show stats")["pid"] == first.pid
        assert _ctl(second_socket, "show stats")["pid"] == second.pid

        # Stopping one leaves the other's socket in place and answering.
        _stop(second)
        second = None
        assert _ctl(first_socket, "show stats")["pid"] == first.pid
    finally:
        _stop(first)
        if second is not None:
            _stop(second)


def test_an_explicit_control_socket_is_used(tmp_path):
    path = tmp_path / "node.ctl"
    log = tmp_path / "node.log"
    server, _ = _start(tmp_path, log, GUNICORN_CONTROL_SOCKET=str(path))
    try:
        assert _socket_of(log) == str(path)
        assert _ctl(str(path), "show stats")["pid"] == server.pid
    finally:
        _stop(server)


def test_the_defaults_are_the_measured_workers(tmp_path):
    """config/gunicorn.py's comment gives the measurement (bench/workers.py): 2 sync
    workers, one thread each, a 30 s timeout, when the environment says nothing."""
    log = tmp_path / "node.log"
    port = _free_port()
    env = _env(tmp_path, port)
    del env["WEB_CONCURRENCY"]  # the default, not the tests' one worker
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=BASE,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        config = _ctl(_socket_of(log), "show config")
        assert "sync" in str(config["worker_class"]).lower()
        assert (config["workers"], config["threads"], config["timeout"]) == (2, 1, 30)
        assert config["control_socket"].endswith(f"gunicorn-127.0.0.1-{port}.ctl")
    finally:
        _stop(server)
