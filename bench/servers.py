"""The servers a bench run owns: its own PostgreSQL database of generated data, its own
Redis, its own gunicorn node or its two nodes behind nginx (deploy/stack.sh).

Everything started here is registered on a `Servers` context and stopped when it closes,
on success, on an exception and on SIGINT/SIGTERM alike. Only loopback addresses are used.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
STACK = str(ROOT / "deploy" / "stack.sh")
PG = "postgres://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"


def sh(cmd: list[str], env: dict | None = None, check: bool = True, timeout: float = 1800) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def psql(db: str, sql: str) -> str:
    return sh(["psql", "-h", HOST, "-U", "postgres", "-d", db, "-tAc", sql]).strip()


def ensure_tools() -> None:
    """PostgreSQL running; wrk, nginx and redis-server installed (Debian's packages)."""
    if subprocess.run(["pg_isready", "-h", HOST, "-q"]).returncode != 0:
        version = os.listdir("/etc/postgresql")[0]
        sh(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        for _ in range(30):
            if subprocess.run(["pg_isready", "-h", HOST, "-q"]).returncode == 0:
                break
            time.sleep(1)
    missing = [
        package
        for command, package in (
            ("wrk", "wrk"),
            ("nginx", "nginx-light"),
            ("redis-server", "redis-server"),
        )
        if not shutil.which(command)
    ]
    if missing:
        print(f"Installing {', '.join(missing)} from Debian's packages...", flush=True)
        sh(["apt-get", "update", "-qq"])
        sh(["apt-get", "install", "-y", "-qq", *missing])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def status_of(url: str, timeout: float = 5) -> int:
    """The status `url` answers, 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if status_of(url, timeout=2) == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def app_env(db: str, redis_url: str | None, secret: str, **extra: str) -> dict[str, str]:
    """Production settings on plain-http loopback, generated data shown."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "GUNICORN_", "WEB_"))
    }
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        TRACKER_SHOW_GENERATED="1",
        CONN_MAX_AGE="600",
        GUNICORN_ACCESSLOG="",
        # No recycling mid-run: restarts would show as latency that is not the load's.
        GUNICORN_MAX_REQUESTS="0",
        # One load generator is one client: the per-client limit on uncached renders
        # (core.throttle) is raised far above the load, so it is counted but never refuses.
        TRACKER_UNCACHED_RATE="10000000/m",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def prepare_dataset(prefix: str, size: int, seed: int = 1) -> str:
    """Create or reuse the database `<prefix>_<size>` holding `size` generated proposals
    on top of the real data. Kept after the run: generating 100k takes about a minute."""
    db = f"{prefix}_{size}"
    if not psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"):
        sh(["createdb", "-h", HOST, "-U", "postgres", db])
    env = app_env(db, None, "prepare-" + secrets.token_urlsafe(16))
    sh([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    sh([PY, "manage.py", "load_real_data"], env=env)
    have = int(psql(db, "SELECT count(*) FROM proposals_proposal WHERE is_generated"))
    if have != size:
        print(f"  generating {size:,} proposals in {db} (had {have:,})...", flush=True)
        started = time.monotonic()
        command = [PY, "manage.py", "generate_demo_data", "--proposals", str(size)]
        command += ["--seed", str(seed), "--verbosity", "0"]
        sh(command + (["--replace"] if have else []), env=env)
        print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)
    psql(db, "VACUUM ANALYZE")
    return db


class Servers(contextlib.ExitStack):
    """Starts servers and stops every one of them on close, whatever happened."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-bench-", dir="/tmp"))
        # nginx's workers (user nobody, when run as root) read static files from here.
        self.folder.chmod(0o755)
        self.secret = "bench-" + secrets.token_urlsafe(32)
        self.callback(shutil.rmtree, self.folder, ignore_errors=True)

    def __enter__(self) -> Servers:
        super().__enter__()
        # A terminal's Ctrl-C or a CI timeout's SIGTERM still stops what was started.
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.signal(signum, _raise_interrupt)
            self.callback(signal.signal, signum, previous)
        return self

    def redis(self, port: int) -> Redis:
        redis = Redis(port, self.folder / f"redis-{port}")
        redis.start()
        self.callback(redis.stop)
        return redis

    def collectstatic(self, env: dict[str, str]) -> dict[str, str]:
        """Static files collected once for this run's nodes; `env` pointing at them."""
        env = dict(env, DJANGO_STATIC_ROOT=str(self.folder / "static"))
        if not (self.folder / "static" / "staticfiles.json").exists():
            sh([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
        return env

    def node(self, env: dict[str, str], port: int, name: str = "node") -> subprocess.Popen:
        """One gunicorn with config/gunicorn.py on `port`, in its own process group
        (`env` from collectstatic(): production settings need the static manifest)."""
        env = dict(env, HOST=HOST, PORT=str(port))
        env["GUNICORN_CONTROL_SOCKET"] = str(self.folder / f"{name}-{port}.ctl")
        log = (self.folder / f"{name}-{port}.log").open("ab")
        server = subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.callback(_stop_group, server)
        try:
            wait_for(f"http://{HOST}:{port}/healthz", 90)
        except RuntimeError:
            raise RuntimeError((self.folder / f"{name}-{port}.log").read_text()[-3000:]) from None
        return server

    def stack(self, env: dict[str, str], ports: dict[str, int]) -> Stack:
        stack = Stack(self.folder / "stack", env, ports)
        self.callback(stack.stop)
        stack.start()
        return stack


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_group(server: subprocess.Popen, grace: float = 20) -> None:
    """TERM the process group, KILL whatever is left of it after `grace` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=5)


class Redis:
    """A private redis-server: bounded, evicting least recently used keys, as in production."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.url = f"redis://{HOST}:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        command += ["--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        for _ in range(100):
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def ping(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-h", HOST, "-p", str(self.port), "ping"], capture_output=True, text=True
        )
        return result.stdout.strip() == "PONG"

    def flush(self) -> None:
        sh(["redis-cli", "-h", HOST, "-p", str(self.port), "FLUSHALL"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class Stack:
    """deploy/stack.sh's two nodes behind nginx, with this run's folder and ports."""

    def __init__(self, folder: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        self.folder = folder
        self.env = dict(env, STACK_DIR=str(folder), STACK_HOST=HOST, PY=PY)
        self.env.update({name: str(port) for name, port in ports.items()})
        self.base = f"http://{HOST}:{ports['NGINX_PORT']}"
        self.node_ports = {1: ports["WEB1_PORT"], 2: ports["WEB2_PORT"]}
        self.access_log = folder / "nginx" / "access.log"

    def run(self, *args: str) -> None:
        sh(["bash", STACK, *args], env=self.env, timeout=300)

    def start(self) -> None:
        self.run("start")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.run("stop")

    def workers(self) -> str:
        """Node 1's worker class and counts, as gunicorn's control socket reports them."""
        out = sh(
            [str(Path(PY).with_name("gunicornc")), "-s", str(self.folder / "web1.ctl")]
            + ["-c", "show config", "-j"]
        )
        config = json.loads(out)
        # The class comes as "<class 'gunicorn.workers.gthread.ThreadWorker'>".
        kind = "gthread" if "gthread" in str(config["worker_class"]) else "sync"
        threads = config["threads"]
        return f"{kind}, {config['workers']} workers × {threads} thread{'s' if threads > 1 else ''} each"

    def node_pid(self, node: int) -> int:
        return int((self.folder / f"web{node}.pid").read_text())

    def kill_node(self, node: int) -> None:
        """kill -9 of the node's master and workers, as a crash takes them."""
        pid = self.node_pid(node)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def start_node(self, node: int) -> None:
        self.run("start-node", str(node))

    def log_size(self) -> int:
        time.sleep(1.2)  # nginx flushes its buffered access log every second
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def log_between(self, start: int, end: int) -> list[str]:
        with self.access_log.open("rb") as log:
            log.seek(start)
            return log.read(end - start).decode(errors="replace").splitlines()


@contextlib.contextmanager
def at_times(actions: list[tuple[float, str, Callable[[], object]]]) -> Iterator[list[str]]:
    """Run each (seconds from now, label, action) in a background thread while the body
    runs; what each did (or the error it raised) is collected in the list yielded."""
    done: list[str] = []
    stop = threading.Event()

    def run() -> None:
        started = time.monotonic()
        for at, label, action in sorted(actions, key=lambda a: a[0]):
            if stop.wait(max(0.0, started + at - time.monotonic())):
                return
            began = time.monotonic() - started
            try:
                result = action()
            except Exception as error:  # reported, not fatal: the load goes on
                done.append(f"{began:.1f} s: {label} failed: {error}")
            else:
                done.append(f"{began:.1f} s: {label}" + (f" ({result})" if result else ""))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield done
    finally:
        # Actions still due when the body ends are skipped; one under way is waited for.
        stop.set()
        thread.join(timeout=120)


if __name__ == "__main__":
    sys.exit("bench/servers.py is a module: run bench/fault.py or bench/workers.py")
