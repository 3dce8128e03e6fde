"""The Redis cache backend production uses (core.redis), against the real Redis."""

from __future__ import annotations

from core.redis import RedisCache

REDIS = "redis://127.0.0.1:6379/14"


def test_redis_cache_reuses_one_client_and_round_trips_values():
    backend = RedisCache(REDIS, {})
    try:
        backend.set("tracker-test", {"a": [1, 2]}, 30)
        assert backend.get("tracker-test") == {"a": [1, 2]}
        assert backend.add("tracker-test", "other", 30) is False
        reader = backend._cache.get_client("tracker-test")
        assert backend._cache.get_client("another-key") is reader
        assert backend._cache.get_client("tracker-test", write=True) is reader  # one server
    finally:
        backend.delete("tracker-test")
    assert backend.get("tracker-test") is None
