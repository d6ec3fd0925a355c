"""The outbox relay: one thread per process hands committed outbox rows to the broker in batches.

After a transaction commits, ``core.outbox`` gives the ids of its outbox rows to ``hand_off``,
which only puts them on an in-memory queue: the request (or task) that wrote them goes on without
a broker round trip. The relay thread takes whatever has gathered on the queue (up to
``OUTBOX_RELAY_BATCH`` ids) and hands it over with ``outbox_deliver_many``: one claim, one
producer on one pooled broker connection, one UPDATE. It wakes as soon as an id arrives. While
commits keep coming it lingers ``OUTBOX_RELAY_LINGER_SECONDS`` (25 ms) for more before it claims,
so that commits following each other share a claim and its transaction instead of paying one
each; a row after a quiet spell is claimed at once. An event is on RabbitMQ a few milliseconds
after its commit, at most a linger more under a stream of commits.

Nothing is lost if the process dies with ids on its queue (or the broker is down): the rows are
committed and unpublished, and the periodic ``core.outbox_sweep`` hands them over later (delivery
is at least once; subscribers are idempotent).

Fork-safe: gunicorn and Celery's prefork pool fork after import, and a thread does not survive a
fork. The thread starts on first use in each process (the process id is checked on every hand-off).
"""
import atexit
import logging
import os
import queue
import threading
import time

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

_STOP = object()
# A row that comes within this many lingers of the last batch is taken as part of a stream of
# commits, and the relay lingers for more; after a longer quiet spell a row is claimed at once.
_STREAM_LINGERS = 4


class _Relay:
    """The queue and thread of one process."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.ids: queue.SimpleQueue = queue.SimpleQueue()
        self.last_batch_at = float("-inf")  # time.monotonic() when the last batch was handed over
        self.thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from core.outbox import outbox_deliver_many

        idle_seconds = settings.OUTBOX_RELAY_IDLE_SECONDS
        while True:
            try:
                first = self.ids.get(timeout=idle_seconds)
            except queue.Empty:  # idle: give the database connection back
                connection.close()
                continue
            batch, stop, flushed = self._gather(first)
            if batch:
                self._deliver(outbox_deliver_many, dict(batch))
                self.last_batch_at = time.monotonic()
            for waiter in flushed:
                waiter.set()
            if stop:
                connection.close()
                return

    def _gather(self, first) -> tuple[list[tuple[int, dict]], bool, list[threading.Event]]:
        """``first`` and whatever else is waiting, up to a batch: (id, log context) pairs; a
        ``flush`` waiting ends the batch. While commits keep coming (``first`` came within
        ``_STREAM_LINGERS`` lingers of the last batch) it also takes what arrives within the
        linger; a row after a quiet spell goes at once."""
        batch, item = [], first
        now = time.monotonic()
        linger = settings.OUTBOX_RELAY_LINGER_SECONDS
        until = now + linger if now - self.last_batch_at < _STREAM_LINGERS * linger else now
        while True:
            if item is _STOP:
                return batch, True, []
            if isinstance(item, threading.Event):
                return batch, False, [item]
            batch.append(item)
            if len(batch) >= settings.OUTBOX_RELAY_BATCH:
                return batch, False, []
            try:
                item = self.ids.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                return batch, False, []

    @staticmethod
    def _deliver(deliver, batch: dict[int, dict]) -> None:
        try:
            deliver(message_ids=list(batch), log_contexts=batch)
        except Exception as exc:  # noqa: BLE001 - never let the thread die: the sweep has the rows
            logger.warning("outbox relay: batch of %s not delivered: %r", len(batch), exc)
            connection.close()
        if connection.errors_occurred:  # a database error (e.g. a restart): connect afresh next time
            connection.close()

    def stop(self, timeout: float) -> None:
        """Hand over what is queued, then end the thread (at interpreter exit)."""
        if self.thread.is_alive():
            self.ids.put(_STOP)
            self.thread.join(timeout)


_relay: _Relay | None = None
_lock = threading.Lock()


def hand_off(message_id: int, log_context: dict | None = None) -> None:
    """Queue a committed outbox row for the relay thread of this process (started on first use),
    with the log context its messages are to carry."""
    _current().ids.put((message_id, log_context or {}))


def _current() -> _Relay:
    global _relay
    relay = _relay
    if relay is not None and relay.pid == os.getpid() and relay.thread.is_alive():
        return relay
    with _lock:
        if _relay is None or _relay.pid != os.getpid() or not _relay.thread.is_alive():
            first_in_process = _relay is None or _relay.pid != os.getpid()
            _relay = _Relay()
            if first_in_process:
                atexit.register(_stop_at_exit)
        return _relay


def flush(timeout: float = 10.0) -> bool:
    """Wait until this process's relay has tried every row handed off before the call (tests
    that change the broker under it). True when done (or nothing to wait for)."""
    relay = _relay
    if relay is None or relay.pid != os.getpid() or not relay.thread.is_alive():
        return True
    done = threading.Event()
    relay.ids.put(done)
    return done.wait(timeout)


def shutdown() -> None:
    """Hand over what is queued and end this process's relay thread, closing its database
    connection (at exit; a test run, before its test database is dropped). A later hand-off
    starts a new thread."""
    relay = _relay
    if relay is not None and relay.pid == os.getpid():
        relay.stop(timeout=settings.OUTBOX_RELAY_EXIT_SECONDS)


def _stop_at_exit() -> None:
    shutdown()


def _forget_after_fork() -> None:
    """In a forked child the parent's thread is gone and the lock may be held: start afresh."""
    global _relay, _lock
    _relay, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
