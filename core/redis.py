"""Django's Redis cache, made to survive Redis: errors are misses, and one client per
connection pool instead of one per call.

Cache errors are misses. With Redis stopped or unreachable, every cache call answers as
a miss (a get its default, an add or a set nothing stored) instead of raising, so pages
render uncached rather than answer 500 (issue 17, defect 1). The socket timeouts in the
cache's OPTIONS (settings: REDIS_TIMEOUT_SECONDS) bound how long a call can wait; after
an error the backend does not ask Redis again for `RETRY_SECONDS`, so a Redis that
hangs costs one timeout per process every few seconds, not one per call. The error is
logged once a minute at most, with how many calls failed since.

After an outage the data version cannot be trusted: a write made while Redis was down
could not bump it, and the pages cached before are back. `take_recovery()` tells
`core.cache` that an outage has ended, once, and it retires everything cached.

One client per pool: django.core.cache.backends.redis builds a new `redis.Redis` for
every get and set, and redis-py fills a table of some 170 reply callbacks in each new
client: about 0.3 ms a call, which was a third of the time a cached page took to serve.
A client is safe to share between threads (its pool hands each command a connection),
so it is built once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long after an error the backend answers misses without asking Redis.
RETRY_SECONDS = 2.0
# At most one log line per this many seconds per process.
LOG_EVERY_SECONDS = 60.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    """Django's RedisCache whose errors are misses (see the module's docstring)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = float("-inf")
        self._in_outage = False
        self._recovered = False
        self._failures = 0
        self._logged_at = float("-inf")

    def _guard(self, call: Callable[[], T], miss: T) -> T:
        now = time.monotonic()
        if now < self._down_until:
            self._failures += 1
            return miss
        try:
            result = call()
        except RedisError as exc:
            self._failed(exc, now)
            return miss
        if self._in_outage:
            self._in_outage = False
            self._recovered = True
            logger.warning("Cache reachable again after %d failed calls", self._failures)
            self._failures = 0
        return result

    def _failed(self, exc: Exception, now: float) -> None:
        self._in_outage = True
        self._down_until = now + RETRY_SECONDS
        self._failures += 1
        if now - self._logged_at >= LOG_EVERY_SECONDS:
            self._logged_at = now
            logger.error(
                "Cache unavailable, serving uncached (%d failed calls so far): %s: %s",
                self._failures,
                type(exc).__name__,
                exc,
            )

    def take_recovery(self) -> bool:
        """True once after an outage has ended (the first call that worked again)."""
        recovered, self._recovered = self._recovered, False
        return recovered

    @property
    def available(self) -> bool:
        """False while the backend answers misses without asking (just after an error)."""
        return time.monotonic() >= self._down_until

    def ping(self) -> None:
        """Ask Redis directly; raises when it does not answer (for /readyz)."""
        self._cache.get_client(write=True).ping()

    # Every operation Django's RedisCache has, each a miss on error.
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard(lambda: super(RedisCache, self).add(*args, **kwargs), False)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(lambda: super(RedisCache, self).get(key, default, version), default)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._guard(lambda: super(RedisCache, self).set(*args, **kwargs), None)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard(lambda: super(RedisCache, self).touch(*args, **kwargs), False)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard(lambda: super(RedisCache, self).delete(*args, **kwargs), False)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return self._guard(lambda: super(RedisCache, self).get_many(*args, **kwargs), {})

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._guard(lambda: super(RedisCache, self).has_key(*args, **kwargs), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A miss for incr is "no such key", which Django signals with ValueError.
        result = self._guard(lambda: super(RedisCache, self).incr(key, delta, version), None)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def set_many(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._guard(lambda: super(RedisCache, self).set_many(*args, **kwargs), [])

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        self._guard(lambda: super(RedisCache, self).delete_many(*args, **kwargs), None)

    def clear(self) -> bool:
        return self._guard(lambda: super(RedisCache, self).clear(), False)
