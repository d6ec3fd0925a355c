"""Real concurrent writers for the tests that prove a race cannot happen (and their negative
controls): threads, each with its own database connection, released at the same instant."""
import threading
import time
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction


def _connect_with_retries(attempts: int = 5) -> None:
    """A shared server under load may briefly refuse a connection; that is not the race under test."""
    for attempt in range(attempts):
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            connection.close()
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def run_concurrently(count: int, work, *, timeout: float = 60) -> list:
    """Run ``work(i)`` for i in range(count) in threads that connect first, then start together.
    Returns each result, or the exception it raised, in order."""
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def runner(i):
        try:
            _connect_with_retries()
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # the outcome under test, reported to it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,), name=f"writer-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


@contextmanager
def row_locked(queryset):
    """Hold ``SELECT … FOR UPDATE`` on ``queryset``'s rows from another connection until the
    block ends: another writer that needs them must wait (or give up)."""
    locked, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                list(queryset.select_for_update(of=("self",)))
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    thread = threading.Thread(target=holder, name="row-lock-holder")
    thread.start()
    try:
        assert locked.wait(timeout=10), "could not take the row lock"
        yield
    finally:
        release.set()
        thread.join(timeout=10)
