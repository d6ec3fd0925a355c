"""Each channel's rate limit, shared by every process through the cache (Redis in full stack).

``call_slot(channel)`` waits for a call slot of its own before a call goes out, so pushes from
many workers stay under the channel's limit instead of drawing 429s. Slots are evenly spaced
(``SPACING / limit`` seconds apart) and a call waits for the start of the one it takes, so that no
one-second span, wherever the channel starts counting, holds more than ``limit`` calls. (Counting
calls per clock second let ``limit`` calls go at the end of one second and ``limit`` more at the
start of the next: twice the limit within a few milliseconds, which the channel answered 429.) A
429 that comes anyway pauses the channel for its Retry-After (``pause``): every process then waits
it out before its next call. Channels without a configured limit are not limited here.
"""
import math
import random
import time

from django.conf import settings
from django.core.cache import cache

from channels.adapters.base import RateLimited

MAX_WAIT_S = 20.0
SPACING = 1.1  # slots a tenth wider than 1/limit
LATE = 0.2  # a call must start within the first fifth of its slot, or take another: never bunched


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
            if start is None:  # every slot up to the deadline is taken
                raise RateLimited(f"{channel}: no call slot within {MAX_WAIT_S:g}s.", retry_after=MAX_WAIT_S)
            time.sleep(max(0.0, start - time.time()))  # until the start of our slot
            if _paused_for(channel):
                continue  # a 429 came meanwhile: wait it out, then take a new slot
            if time.time() <= start + LATE * SPACING / limit:
                return
            continue  # woke too late (a busy machine): calls would bunch up; take a later slot
        if time.monotonic() + wait > deadline:
            raise RateLimited(f"{channel}: no call slot within {MAX_WAIT_S:g}s.", retry_after=wait)
        time.sleep(wait + random.uniform(0, 0.02))


def pause(channel: str, seconds: float) -> None:
    """The channel said 429: nobody calls it for ``seconds``."""
    until = time.time() + seconds
    cache.set(_pause_key(channel), until, timeout=max(1, int(seconds) + 1))


def _take(channel: str, limit: int, *, within: float) -> float | None:
    """Claim the first free slot a call may start in from now on (the current one while we are
    still within its first ``LATE`` part, so a quiet channel's call waits for nothing); the time it
    starts, or None when none is free within ``within`` seconds."""
    width = SPACING / limit
    now = time.time()
    slot = math.floor(now / width)
    if now > (slot + LATE) * width:
        slot += 1
    while slot * width - now <= within:
        if cache.add(f"channels:rate:{channel}:{slot}", 1, timeout=int(within + 5)):
            return slot * width
        slot += 1
    return None


def _paused_for(channel: str) -> float:
    until = cache.get(_pause_key(channel))
    return max(0.0, until - time.time()) if until else 0.0


def _pause_key(channel: str) -> str:
    return f"channels:paused:{channel}"
