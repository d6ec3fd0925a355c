"""The supplier offer cache: one entry per normalised search, one supplier call per expiry.

An entry is ``{"fetched_at": epoch seconds, "offers": [...]}``. It is fresh while younger than
its kind's TTL (``SUPPLIER_CACHE_TTL``); Redis also expires it a little later, as a safety net.
Reading ``fetched_at`` (not only Redis' own expiry) lets tests move the clock past the TTL.

Stampede protection: on a miss, the first caller takes a short lock with ``cache.add`` (atomic
SET NX in Redis) and calls the supplier; concurrent callers for the same key wait for its entry
instead of calling too. If the call fails, the leader leaves a short error marker that the
waiters (and, for a few seconds, new callers) raise, so a failing supplier is not hammered.

Counters per kind live in the same cache: every search is one hit or one miss; a miss either
calls the supplier (supplier_calls) or waits for a concurrent identical call (coalesced);
errors counts failed supplier calls.
"""
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from core import metrics
from suppliers.errors import SupplierError, SupplierRateLimited, SupplierUnavailable

COUNTERS = ("hits", "misses", "supplier_calls", "coalesced", "errors")
POLL_SECONDS = 0.01
SAFETY_NET_SECONDS = 60


def ttl_for(kind: str) -> int:
    return int(settings.SUPPLIER_CACHE_TTL[kind])


def get_or_fetch(*, kind: str, key: str, fetch: Callable[[], list[dict]]) -> tuple[dict, bool]:
    """Return (entry, from_cache). Calls ``fetch`` at most once across all concurrent callers."""
    entry = _fresh(kind, cache.get(key))
    if entry is not None:
        bump(kind, "hits")
        return entry, True
    bump(kind, "misses")
    _raise_recent_error(cache.get(_error_key(key)))
    if not settings.SUPPLIER_CACHE_STAMPEDE_LOCK:  # only for the negative control in tests
        return _lead(kind, key, fetch, lock=None)[0], False
    lock_key, token = f"{key}:lock", uuid.uuid4().hex
    lock_seconds = int(settings.SUPPLIER_SEARCH_TIMEOUT) + 2
    taken = cache.add(lock_key, token, timeout=lock_seconds)
    if taken is None:  # the cache is unreachable (Redis down: a miss, not an error): ask the supplier
        return _lead(kind, key, fetch, lock=None)[0], False
    if taken:
        entry, called = _lead(kind, key, fetch, lock=(lock_key, token))
        if not called:
            bump(kind, "coalesced")
        return entry, not called
    # Someone else is calling the supplier for this very search: wait for their answer.
    bump(kind, "coalesced")
    for _ in range(int(lock_seconds / POLL_SECONDS) + 1):
        time.sleep(POLL_SECONDS)
        entry = _fresh(kind, cache.get(key))
        if entry is not None:
            return entry, True
        _raise_recent_error(cache.get(_error_key(key)))
        if cache.add(lock_key, token, timeout=lock_seconds):  # the leader let go: take over
            entry, called = _lead(kind, key, fetch, lock=(lock_key, token))
            return entry, not called
    raise SupplierUnavailable("The supplier search took too long.")


def _lead(kind: str, key: str, fetch: Callable[[], list[dict]], *, lock: tuple[str, str] | None
          ) -> tuple[dict, bool]:
    """Return (entry, whether we called the supplier)."""
    try:
        if lock is not None:
            # A leader may have stored the entry (or its error) and let go of the lock between
            # our last read and taking the lock: read both again before calling the supplier.
            # (A leader writes them before it lets go, so this read cannot miss them.)
            entry = _fresh(kind, cache.get(key))
            if entry is not None:
                return entry, False
            _raise_recent_error(cache.get(_error_key(key)))
        bump(kind, "supplier_calls")
        try:
            offers = fetch()
        except SupplierError as exc:
            bump(kind, "errors")
            _remember_error(key, exc)
            raise
        entry = {"fetched_at": time.time(), "offers": offers}
        cache.set(key, entry, timeout=ttl_for(kind) + SAFETY_NET_SECONDS)
        return entry, True
    finally:
        if lock is not None and cache.get(lock[0]) == lock[1]:
            cache.delete(lock[0])


def _fresh(kind: str, entry) -> dict | None:
    if not isinstance(entry, dict) or "fetched_at" not in entry:
        return None
    age = time.time() - float(entry["fetched_at"])
    return entry if 0 <= age < ttl_for(kind) else None


def _error_key(key: str) -> str:
    return f"{key}:error"


def _remember_error(key: str, exc: SupplierError) -> None:
    if isinstance(exc, SupplierRateLimited):
        marker, seconds = {"type": "rate_limited", "retry_after": exc.retry_after}, exc.retry_after
    elif isinstance(exc, SupplierUnavailable):
        marker, seconds = {"type": "unavailable"}, settings.SUPPLIER_ERROR_TTL
    else:
        return
    marker["message"] = exc.message
    cache.set(_error_key(key), marker, timeout=max(1, int(seconds)))


def _raise_recent_error(marker) -> None:
    if not isinstance(marker, dict):
        return
    if marker.get("type") == "rate_limited":
        raise SupplierRateLimited(marker.get("message", "rate limited"), retry_after=int(marker["retry_after"]))
    raise SupplierUnavailable(marker.get("message", "unavailable"))


# --- counters ------------------------------------------------------------------------------------
def _counter_key(kind: str, name: str) -> str:
    return f"suppliers:stats:{kind}:{name}"


def bump(kind: str, name: str) -> None:
    metrics.SUPPLIER_CACHE.labels(kind=kind, event=name).inc()
    key = _counter_key(kind, name)
    try:
        cache.incr(key)
    except ValueError:  # first use: create it (add is atomic; a racing creator makes us incr)
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)


def read_counters(kinds) -> dict[str, dict[str, int]]:
    keys = {_counter_key(k, n): (k, n) for k in kinds for n in COUNTERS}
    found = cache.get_many(list(keys))
    out = {k: dict.fromkeys(COUNTERS, 0) for k in kinds}
    for key, (kind, name) in keys.items():
        out[kind][name] = int(found.get(key) or 0)
    return out


def reset_counters(kinds) -> None:
    cache.delete_many([_counter_key(k, n) for k in kinds for n in COUNTERS])
