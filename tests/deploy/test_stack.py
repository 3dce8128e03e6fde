"""deploy/stack.sh as an operator runs it: two gunicorn nodes behind a private nginx on
loopback, one database and one Redis. Through nginx: the site, gzip, static files cached
for good, a body limit, and an idempotent request retried on the other node when one node
is killed."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
STACK = BASE / "deploy" / "stack.sh"
GUNICORNC = str(Path(sys.executable).with_name("gunicornc"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (loopback)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Stack:
    def __init__(self, folder: Path) -> None:
        # nginx's workers run as nobody when the tests run as root: the stack's folder must
        # be reachable by them, which pytest's own temporary folders (0700) are not.
        self.dir = Path(tempfile.mkdtemp(prefix="stack-", dir="/tmp"))
        self.dir.chmod(0o755)
        self.database = folder / "site.sqlite3"
        self.redis_port = _free_port()
        self.ports = {name: _free_port() for name in ("NGINX_PORT", "WEB1_PORT", "WEB2_PORT")}
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "GUNICORN_"))
        }
        self.env.update(
            STACK_DIR=str(self.dir),
            PY=sys.executable,
            DATABASE_URL=f"sqlite:///{self.database}",
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            WEB_CONCURRENCY="1",
            GUNICORN_ACCESSLOG="",
            **{key: str(port) for key, port in self.ports.items()},
        )
        self.base = f"http://127.0.0.1:{self.ports['NGINX_PORT']}"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(STACK), *args],
            cwd=BASE,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def access_log(self) -> str:
        time.sleep(1.5)  # nginx flushes its buffered access log every second
        return (self.dir / "nginx" / "access.log").read_text()

    def pid(self, name: str) -> int:
        path = self.dir / ("nginx/nginx.pid" if name == "nginx" else f"{name}.pid")
        return int(path.read_text())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("deploy"))
    # A Redis of the test's own: no other run's cached pages can answer for this database.
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(stack.redis_port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        release = stack.run("release")
        assert release.returncode == 0, release.stderr
        started = stack.run("start")
        assert started.returncode == 0, started.stderr
        yield stack
    finally:
        stack.run("stop")
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(stack.dir, ignore_errors=True)


def test_nginx_serves_the_site_from_both_nodes_compressed(stack):
    for _ in range(4):
        status, headers, body = _get(stack.base + "/", {"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert b"269" in gzip.decompress(body)  # the real data, through the proxy
    log = stack.access_log()
    answered = set(re.findall(r'"GET / HTTP/1.1" 200 .* ua="([^"]+)"', log))
    nodes = {f"127.0.0.1:{stack.ports[key]}" for key in ("WEB1_PORT", "WEB2_PORT")}
    assert answered == nodes


def test_hashed_static_files_are_cached_for_good_and_served_precompressed(stack):
    _, _, page = _get(stack.base + "/")
    css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1).decode()
    status, headers, body = _get(stack.base + css, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=315360000, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert (
        gzip.decompress(body) == (stack.dir / "static" / css.removeprefix("/static/")).read_bytes()
    )
    # A name without a hash may change: cached briefly.
    status, headers, _ = _get(stack.base + "/static/favicon.svg")
    assert (status, headers["Cache-Control"]) == (200, "public, max-age=60")


def test_bodies_over_the_limit_are_refused_by_nginx_before_a_node_reads_them(stack):
    two_mb = b"x" * (2 * 1024 * 1024)
    status, _, _ = _get(stack.base + "/proposals/", data=two_mb)
    assert status == 413
    # The admin's import takes files up to 10 MB: the same body reaches Django (which
    # refuses it for want of a CSRF token, not for its size).
    status, _, _ = _get(stack.base + "/admin/login/", data=two_mb)
    assert status == 403


def test_each_node_has_its_own_control_socket(stack):
    for node in ("web1", "web2"):
        result = subprocess.run(
            [GUNICORNC, "-s", str(stack.dir / f"{node}.ctl"), "-c", "show stats", "-j"],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["pid"] == stack.pid(node)


def test_a_killed_node_costs_no_request_and_comes_back(stack):
    node = stack.pid("web1")
    os.killpg(node, signal.SIGKILL)  # the node and its workers, as a crash takes them
    for _ in range(50):
        if not _alive(node):
            break
        time.sleep(0.1)
    statuses = [_get(stack.base + "/proposals/")[0] for _ in range(12)]
    assert statuses == [200] * 12
    # The first request sent to the dead node was answered by the other one.
    log = stack.access_log()
    assert re.search(r'us="502, 200"', log), log[-2000:]

    restarted = stack.run("start-node", "1")
    assert restarted.returncode == 0, restarted.stderr
    status = stack.run("status")
    assert status.returncode == 0, status.stderr


def test_stop_ends_every_process_it_started(stack, tmp_path_factory):
    first = stack
    stack = Stack(tmp_path_factory.mktemp("stop"))
    shutil.copyfile(first.database, stack.database)  # released already
    redis = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(stack.redis_port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        assert stack.run("start").returncode == 0
        pids = [stack.pid(name) for name in ("nginx", "web1", "web2")]
        workers = subprocess.run(
            ["pgrep", "-g", f"{pids[1]},{pids[2]}"], capture_output=True, text=True
        ).stdout.split()
        assert len(workers) >= 4  # two masters, a worker each
        assert stack.run("stop").returncode == 0
        assert not [pid for pid in pids + [int(w) for w in workers] if _alive(pid)]
        assert stack.run("status").returncode != 0
    finally:
        stack.run("stop")
        redis.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(stack.dir, ignore_errors=True)
