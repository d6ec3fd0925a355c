"""How every writer of nights waits and retries, shared by reserve, release and restay.

A writer waits at most ``LOCK_TIMEOUT_MS`` for a row lock (a transaction-local ``lock_timeout``).
A lock timeout, a deadlock or a serialization failure rolls the attempt back; it is tried again
after a jittered exponential backoff, and after ``MAX_ATTEMPTS`` the caller gets ``Busy``: on a hot
night waiting longer only lengthens the queue behind the lock.
"""
import random
import threading
import time

from django.db import OperationalError, connection

from core import metrics
from inventory.errors import Busy

MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 0.005
BACKOFF_CAP_S = 0.1
LOCK_TIMEOUT_MS = 500
RETRYABLE_SQLSTATES = {"55P03", "40P01", "40001"}  # lock not available, deadlock, serialization


class TryAgain(Exception):
    """This attempt lost to a concurrent writer in a way a fresh attempt may win."""


def with_retries(attempt):
    """Run ``attempt()`` (one whole transaction) until it does not lose to another writer."""
    for number in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except TryAgain:
            pass
        except OperationalError as exc:
            if not _is_retryable(exc):
                raise
        if number + 1 < MAX_ATTEMPTS:
            # "Full jitter": a random wait up to an exponentially growing cap.
            time.sleep(random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**number)))
        stats.add("retries")
        metrics.INVENTORY_RETRIES.inc()
    raise Busy("These rooms are in high demand right now; please try again in a moment.")


def _is_retryable(exc: OperationalError) -> bool:
    if connection.vendor == "sqlite":
        return "locked" in str(exc)
    return getattr(exc.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def limit_lock_wait() -> None:
    """Bound how long a writer waits for a row lock (PostgreSQL): then it retries."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")


class _Stats:
    """Counts since start, for the benchmark and ops: ``retries`` (attempts rolled back and tried
    again) and ``collisions`` (reservations whose night another writer changed between read and
    write: what a strict version compare would have had to retry)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"retries": 0, "collisions": 0}

    def add(self, name: str) -> None:
        with self.lock:
            self.counts[name] += 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)


stats = _Stats()
