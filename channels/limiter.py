"""Each channel's rate limit, shared by every process through the cache (Redis in full stack).

``call_slot(channel)`` waits until a call may go out, so pushes from many workers stay under the
channel's limit instead of drawing 429s. The rule: no ``SPACING``-second span (a tenth more than a
second) ever holds more than ``limit`` calls, so no one-second span does either, wherever the
channel starts counting. (Counting calls per clock second let ``limit`` calls go at the end of one
second and ``limit`` more at the start of the next: twice the limit within a few milliseconds,
which the channel answered 429.) Each call reserves its start time in one sorted log per channel:
at once while the last ``SPACING`` seconds hold fewer than ``limit`` calls — a quiet channel's
call waits for nothing — else just after the oldest of the last ``limit`` leaves the span. In
Redis the reservation is one Lua script (atomic across processes, on Redis's clock); without
Redis (the embedded mode, one process) a lock-guarded log does the same. A 429 that comes anyway
pauses the channel for its Retry-After (``pause``): every process then waits it out before its
next call. Channels without a configured limit are not limited here.
"""
import random
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache

from channels.adapters.base import RateLimited

MAX_WAIT_S = 20.0
SPACING = 1.1  # seconds: the span that holds at most ``limit`` calls, a tenth wider than a second
LATE = 0.02  # seconds: a call that wakes later than this after its reserved start takes a new one


def call_slot(channel: str) -> None:
    """Block until this process may make one call to ``channel``; RateLimited after MAX_WAIT_S."""
    limit = settings.CHANNEL_RATE_LIMITS.get(channel)
    deadline = time.monotonic() + MAX_WAIT_S
    while True:
        wait = _paused_for(channel)
        if not wait:
            if not limit:
                return
            start = _take(channel, limit, within=deadline - time.monotonic())
            if start is None:  # the log is full up to the deadline
                raise RateLimited(f"{channel}: no call slot within {MAX_WAIT_S:g}s.", retry_after=MAX_WAIT_S)
            time.sleep(max(0.0, start - time.time()))  # until our reserved start
            if _paused_for(channel):
                continue  # a 429 came meanwhile: wait it out, then reserve again
            if time.time() <= start + LATE:
                return
            continue  # woke too late (a busy machine): calls would bunch up; reserve a later start
        if time.monotonic() + wait > deadline:
            raise RateLimited(f"{channel}: no call slot within {MAX_WAIT_S:g}s.", retry_after=wait)
        time.sleep(wait + random.uniform(0, 0.02))


def pause(channel: str, seconds: float) -> None:
    """The channel said 429: nobody calls it for ``seconds``."""
    until = time.time() + seconds
    cache.set(_pause_key(channel), until, timeout=max(1, int(seconds) + 1))


def _take(channel: str, limit: int, *, within: float) -> float | None:
    """Reserve this call's start in the channel's log; the time it starts (on this machine's
    clock), or None when it could not start within ``within`` seconds."""
    wait = _reserve(f"channels:rate-log:{channel}", limit, within)
    return None if wait is None else time.time() + wait


# KEYS[1]: the channel's log (start times). ARGV: limit, span, within, a unique member.
# Returns the seconds to wait before the call, or false when that would exceed ``within``.
_RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local limit, span, within = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local start = now
local count = redis.call('ZCARD', KEYS[1])
if count > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  start = math.max(start, tonumber(last[2]))
end
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  start = math.max(start, tonumber(oldest[2]) + span)
end
if start - now > within then return false end
redis.call('ZADD', KEYS[1], start, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil((start - now + span) * 1000) + 1000)
return tostring(start - now)
"""
_local_logs: dict[str, list[float]] = {}
_local_lock = threading.Lock()


def _reserve(key: str, limit: int, within: float) -> float | None:
    """Seconds until this call may start (its start reserved), or None if later than ``within``."""
    if _redis_cache():
        from django_redis import get_redis_connection

        wait = get_redis_connection("default").eval(_RESERVE, 1, cache.make_key(key), limit, SPACING, within,
                                                    uuid.uuid4().hex)
        return None if wait is None else max(0.0, float(wait))
    with _local_lock:  # one process (the embedded mode): the same rule on a log in memory
        now = time.time()
        log = [t for t in _local_logs.get(key, []) if t > now - SPACING]
        start = max([now] + log[-1:] + ([log[-limit] + SPACING] if len(log) >= limit else []))
        if start - now > within:
            return None
        _local_logs[key] = log + [start]
        return start - now


def _redis_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"].startswith("django_redis")


def _paused_for(channel: str) -> float:
    until = cache.get(_pause_key(channel))
    return max(0.0, until - time.time()) if until else 0.0


def _pause_key(channel: str) -> str:
    return f"channels:paused:{channel}"
