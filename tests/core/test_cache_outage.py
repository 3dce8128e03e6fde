"""The site without Redis: cache errors are misses (issue 17, defect 1).

A private redis-server on its own port is started, paused (SIGSTOP: it keeps its data
but answers nothing, so every call times out) and stopped (connections refused) here;
the shared Redis is never touched."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import override_settings

from core import cache as data_cache
from core import redis as tracker_redis
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

PORT = 6391  # this suite's own, away from the shared 6379


class PrivateRedis:
    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            pass
        else:
            raise RuntimeError(f"something already listens on {self.port}")
        self.process = subprocess.Popen(
            ["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(settings, monkeypatch) -> Iterator[PrivateRedis]:
    if not os.path.exists("/usr/bin/redis-server"):
        pytest.fail("redis-server is needed (Debian's redis-server package)")
    server = PrivateRedis(PORT)
    # Every request reads the version afresh and the backend retries Redis at once, so
    # each step below sees the outage or the recovery on its first request.
    settings.TRACKER_VERSION_HOLD_SECONDS = 0
    monkeypatch.setattr(tracker_redis, "RETRY_SECONDS", 0, raising=False)
    caches = {
        "default": {
            "BACKEND": "core.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    server.start()
    try:
        with override_settings(CACHES=caches):
            data_cache.forget_held_version()
            yield server
    finally:
        server.stop()
        data_cache.forget_held_version()


PAGES = ["/", "/proposals/", "/proposals/?year=2020", "/topics/", "/trends/topics.json"]


def test_pages_answer_200_with_redis_stopped(redis_server, client):
    proposal = ProposalFactory(title="Seen while Redis is down")
    pages = [*PAGES, f"/proposals/{proposal.pk}/"]
    assert [client.get(url).status_code for url in pages] == [200] * len(pages)
    redis_server.stop()
    statuses = [client.get(url).status_code for url in pages for _ in range(3)]
    assert statuses == [200] * len(statuses)
    assert "Seen while Redis is down" in client.get(f"/proposals/{proposal.pk}/").content.decode()


def test_pages_answer_200_with_redis_hanging(redis_server, client):
    proposal = ProposalFactory()
    client.get(f"/proposals/{proposal.pk}/")
    redis_server.pause()
    try:
        assert client.get(f"/proposals/{proposal.pk}/").status_code == 200
        assert client.get("/proposals/").status_code == 200
    finally:
        redis_server.resume()


def test_a_write_while_redis_is_down_is_not_hidden_by_pages_cached_before(redis_server, client):
    """Redis paused keeps its data: the page cached before the outage is still there
    when it answers again, under the version the write could not bump."""
    proposal = ProposalFactory(title="Before the outage")
    url = f"/proposals/{proposal.pk}/"
    assert "Before the outage" in client.get(url).content.decode()
    assert "Before the outage" in client.get(url).content.decode()  # now from the cache
    redis_server.pause()
    try:
        proposal.title = "Written during the outage"
        proposal.save()  # its version bump cannot reach Redis
        assert "Written during the outage" in client.get(url).content.decode()
    finally:
        redis_server.resume()
    page = client.get(url).content.decode()
    assert "Written during the outage" in page and "Before the outage" not in page
    # ...and the cache works again: the next load is a hit.
    assert cache.get(data_cache.VERSION_KEY)


def test_cache_errors_are_logged_once_a_while(redis_server, client, caplog, monkeypatch):
    redis_server.stop()
    with caplog.at_level(logging.ERROR, logger="core.redis"):
        for _ in range(5):
            assert client.get("/topics/").status_code == 200
    errors = [r for r in caplog.records if r.name == "core.redis" and r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "serving uncached" in errors[0].getMessage()


def test_readyz_reports_database_and_cache(redis_server, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    redis_server.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["cache"]
    # Liveness is not readiness: the server itself is up.
    assert client.get("/healthz").status_code == 200


def test_readyz_with_the_local_memory_cache(client):
    assert client.get("/readyz").json()["checks"] == {"database": "ok", "cache": "ok"}
