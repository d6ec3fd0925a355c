"""The hot-read cache of availability: one Redis key per room type and night.

PostgreSQL is the truth; this cache only serves search and hotel pages. Services write through
it *after commit* with the night's ``version``: a Lua script keeps a value only if its version
is newer than the one stored, so a writer that commits first but reaches Redis last never
overwrites a newer count. Keys expire after ``TTL_SECONDS`` so that a lost update heals by
itself; ``manage.py inventory_cache_rebuild`` rebuilds the cache and reports drift.

Value format: ``"<version>:<rooms sellable>"`` (0 when the night is on stop-sell).

Without Redis (the embedded mode) a process-local dict with the same ordering rule stands in.
"""
import logging
import threading
from datetime import date

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

TTL_SECONDS = 6 * 3600

# KEYS: the night keys; ARGV: ttl, then version and rooms per key. Returns how many were written.
_SET_IF_NEWER = """
local written = 0
for i, key in ipairs(KEYS) do
  local version = tonumber(ARGV[2 * i])
  local current = redis.call('GET', key)
  local stored = current and tonumber(string.match(current, '^(%d+):')) or -1
  if version > stored then
    redis.call('SET', key, ARGV[2 * i] .. ':' .. ARGV[2 * i + 1], 'EX', tonumber(ARGV[1]))
    written = written + 1
  end
end
return written
"""

CacheEntry = tuple[int, date, int, int]  # room_type_id, night, version, rooms sellable


def night_key(room_type_id: int, night: date) -> str:
    return f"inv:{room_type_id}:{night.isoformat()}"


def redis_key(room_type_id: int, night: date) -> str:
    """The key as stored in Redis: with the project's cache prefix, so parallel runs never meet."""
    return cache.make_key(night_key(room_type_id, night))


def _parse(raw) -> tuple[int, int] | None:
    if raw is None:
        return None
    version, rooms = (raw.decode() if isinstance(raw, bytes) else raw).split(":")
    return int(version), int(rooms)


class RedisHotCache:
    def __init__(self):
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")
        self.script = self.redis.register_script(_SET_IF_NEWER)

    def write(self, entries: list[CacheEntry], *, force: bool = False) -> int:
        if not entries:
            return 0
        if force:
            pipe = self.redis.pipeline(transaction=False)
            for rt, night, version, rooms in entries:
                pipe.set(redis_key(rt, night), f"{version}:{rooms}", ex=TTL_SECONDS)
            pipe.execute()
            return len(entries)
        keys = [redis_key(rt, night) for rt, night, _v, _r in entries]
        args = [TTL_SECONDS]
        for _rt, _night, version, rooms in entries:
            args += [version, rooms]
        return int(self.script(keys=keys, args=args))

    def read(self, pairs: list[tuple[int, date]]) -> dict[tuple[int, date], tuple[int, int]]:
        if not pairs:
            return {}
        values = self.redis.mget([redis_key(rt, night) for rt, night in pairs])
        return {pair: parsed for pair, raw in zip(pairs, values, strict=True) if (parsed := _parse(raw)) is not None}

    def clear(self, pairs: list[tuple[int, date]]) -> None:
        if pairs:
            self.redis.delete(*[redis_key(rt, night) for rt, night in pairs])


class LocalHotCache:
    """The embedded mode's stand-in, on Django's in-process cache: same rule, one process."""

    lock = threading.Lock()

    def write(self, entries: list[CacheEntry], *, force: bool = False) -> int:
        written = 0
        with self.lock:
            for rt, night, version, rooms in entries:
                key = night_key(rt, night)
                current = _parse(cache.get(key))
                if force or current is None or version > current[0]:
                    cache.set(key, f"{version}:{rooms}", TTL_SECONDS)
                    written += 1
        return written

    def read(self, pairs):
        values = cache.get_many([night_key(*pair) for pair in pairs])
        return {pair: parsed for pair in pairs if (parsed := _parse(values.get(night_key(*pair)))) is not None}

    def clear(self, pairs) -> None:
        cache.delete_many([night_key(*pair) for pair in pairs])


_backend = None
_backend_lock = threading.Lock()


def hot_cache():
    global _backend
    with _backend_lock:
        wanted = RedisHotCache if settings.REDIS_URL else LocalHotCache
        if not isinstance(_backend, wanted):
            _backend = wanted()
        return _backend


def hot_cache_write(entries: list[CacheEntry]) -> None:
    """Write committed nights through to the cache. Never raises: the cache is not the truth."""
    try:
        hot_cache().write(entries)
    except Exception as exc:  # Redis down: the TTL and the rebuild command heal the cache
        logger.warning("hot availability cache not updated for %d nights: %r", len(entries), exc)
