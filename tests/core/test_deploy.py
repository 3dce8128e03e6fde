"""The steps the Docker image runs (collectstatic, migrate, gunicorn), run here outside
Docker with production settings, plus the start-up and security guarantees."""

from __future__ import annotations

import json
import os
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


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,tracker.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_start_without_secret_key_stops_with_a_clear_message(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_check_deploy_warns_without_a_shared_cache(tmp_path):
    env = production_env(tmp_path)
    del env["REDIS_URL"]
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "tracker.W001" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def test_image_steps_collectstatic_migrate_and_gunicorn_serve_the_site(tmp_path):
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0")
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    static = tmp_path / "static"
    manifest = json.loads((static / "staticfiles.json").read_text())["paths"]
    # Chart.js comes from node_modules through django-npm, and only the files we use.
    vendored = sorted(p for p in manifest if p.startswith("vendor/"))
    assert vendored == [
        "vendor/chart.js/LICENSE.md",
        "vendor/chart.js/dist/chart.umd.min.js",
        "vendor/chart.js/dist/chart.umd.min.js.map",
    ]
    chart = manifest["vendor/chart.js/dist/chart.umd.min.js"]
    assert (static / (chart + ".gz")).exists()  # compressed by whitenoise

    for step in (["migrate", "--noinput"], ["load_real_data"]):
        result = manage(env, *step)
        assert result.returncode == 0, result.stderr

    port = _free_port()
    env.update(HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_ACCESSLOG="")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=BASE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, _, body = _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer /healthz")
        assert (status, body) == (200, b"ok\n")

        # As if behind a TLS-terminating proxy: the production headers must all be there.
        status, headers, body = _get(base + "/", {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert b"269" in body  # the real data is served
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"

        status, _, _ = _get(base + "/favicon.ico")  # follows the redirect to the hashed icon
        assert status == 200

        status, headers, _ = _get(f"{base}/static/{chart}")
        assert status == 200
        assert "max-age=315360000" in headers["Cache-Control"]  # hashed: cached forever
    finally:
        server.terminate()
        server.wait(timeout=10)
