"""Each channel's rate limit, shared by every process through the cache (Redis in full stack).

``call_slot(channel)`` waits for a free call slot of the current one-second window before a call
goes out, so pushes from many workers stay under the channel's limit instead of drawing 429s. A
429 that comes anyway pauses the channel for its Retry-After (``pause``): every process then waits
it out before its next call. Channels without a configured limit are not limited here.
"""
import random
import time

from django.conf import settings
from django.core.cache import cache

from channels.adapters.base import RateLimited

MAX_WAIT_S = 20.0


def call_slot(channel: str) -> None:
    """Block until this process may make one call to ``channel``; RateLimited after MAX_WAIT_S."""
    limit = settings.CHANNEL_RATE_LIMITS.get(channel)
    deadline = time.monotonic() + MAX_WAIT_S
    while True:
        wait = _paused_for(channel)
        if not wait and (not limit or _take(channel, limit)):
            return
        wait = wait or (1.0 - time.time() % 1.0)
        if time.monotonic() + wait > deadline:
            raise RateLimited(f"{channel}: no call slot within {MAX_WAIT_S:g}s.", retry_after=wait)
        time.sleep(wait + random.uniform(0, 0.02))


def pause(channel: str, seconds: float) -> None:
    """The channel said 429: nobody calls it for ``seconds``."""
    until = time.time() + seconds
    cache.set(_pause_key(channel), until, timeout=max(1, int(seconds) + 1))


def _take(channel: str, limit: int) -> bool:
    key = f"channels:rate:{channel}:{int(time.time())}"
    cache.add(key, 0, timeout=3)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window's key expired between add and incr: a new window
        cache.add(key, 1, timeout=3)
        return True


def _paused_for(channel: str) -> float:
    until = cache.get(_pause_key(channel))
    return max(0.0, until - time.time()) if until else 0.0


def _pause_key(channel: str) -> str:
    return f"channels:paused:{channel}"
