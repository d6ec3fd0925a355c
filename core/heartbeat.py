"""Heartbeats of the background processes, for /readyz.

Every Celery worker writes one every ``HEARTBEAT_SECONDS`` from its own timer (``WorkerHeartbeat``,
a worker bootstep: it stops when the worker's event loop stops), and beat writes one each time it
sends scheduled work (at least every 15 s: the outbox sweep), so a beat that hangs goes stale too.
A heartbeat is the newest timestamp per role in the ``locks`` cache (Redis); /readyz reports its
age and says "not ready" once it is older than ``HEARTBEAT_STALE_SECONDS`` (core/health.py).
"""
import logging
import socket
import time
from dataclasses import dataclass

from celery import bootsteps
from celery.signals import beat_init, before_task_publish
from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

ROLES = ("worker", "beat")
KEEP_SECONDS = 7 * 24 * 3600  # an old heartbeat stays readable: "stale for 3 hours" beats "none"


@dataclass(frozen=True)
class Heartbeat:
    role: str
    node: str
    at: float

    @property
    def age(self) -> float:
        return max(0.0, time.time() - self.at)


def heartbeat_record(*, role: str, node: str) -> None:
    """Write ``role``'s heartbeat now. Never raises: a heartbeat that cannot be written goes
    stale, which is what /readyz then reports."""
    try:
        caches["locks"].set(_key(role), {"node": node, "at": time.time()}, timeout=KEEP_SECONDS)
    except Exception as exc:  # noqa: BLE001 - Redis down: readiness says so through the cache probe
        logger.warning("heartbeat of %s %s not written: %r", role, node, exc)


def heartbeat_latest(*, role: str) -> Heartbeat | None:
    """The newest heartbeat of ``role``, or None when none was ever written. Raises if the cache
    cannot be read."""
    value = caches["locks"].get(_key(role))
    if not value:
        return None
    return Heartbeat(role=role, node=value["node"], at=float(value["at"]))


def _key(role: str) -> str:
    return f"heartbeat:{role}"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A worker bootstep: a heartbeat at start, then every HEARTBEAT_SECONDS from the worker's timer."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        heartbeat_record(role="worker", node=worker.hostname)
        self.tref = worker.timer.call_repeatedly(settings.HEARTBEAT_SECONDS, heartbeat_record,
                                                 kwargs={"role": "worker", "node": worker.hostname})

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


class _Beat:
    node = ""  # set in the beat process only
    last = 0.0


@beat_init.connect
def _beat_started(sender=None, **kwargs):
    _Beat.node = f"beat@{socket.gethostname()}"
    _Beat.last = time.monotonic()
    heartbeat_record(role="beat", node=_Beat.node)


@before_task_publish.connect
def _beat_sent_work(**kwargs):
    """In the beat process: scheduled work is going out, so beat is ticking."""
    if _Beat.node and time.monotonic() - _Beat.last >= min(5.0, settings.HEARTBEAT_SECONDS):
        _Beat.last = time.monotonic()
        heartbeat_record(role="beat", node=_Beat.node)
