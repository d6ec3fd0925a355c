"""Readiness probes of the parts the platform runs on, for /readyz.

Liveness (/healthz) needs none of this: a process that answers is alive. Readiness asks each
dependency once, briefly, and names the ones that fail: the database, the cache (Redis), the
broker (RabbitMQ), and the heartbeats of the workers and beat (core/heartbeat.py).
"""
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import Connection

from core.heartbeat import ROLES, heartbeat_latest


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str
    extra: dict = field(default_factory=dict)


def probe_database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Probe(True, connection.vendor)
    except Exception as exc:
        return Probe(False, f"{connection.vendor}: {exc.__class__.__name__}: {exc}")


def probe_cache() -> Probe:
    """Through the ``locks`` alias: the ``default`` one turns an outage into misses, which would
    hide it here."""
    backend = settings.CACHES["locks"]["BACKEND"].rsplit(".", 1)[-1]
    cache = caches["locks"]
    key, value = f"healthz:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, value, timeout=5)
        ok = cache.get(key) == value
        cache.delete(key)
        return Probe(ok, backend if ok else f"{backend}: value not read back")
    except Exception as exc:
        return Probe(False, f"{backend}: {exc.__class__.__name__}: {exc}")


def probe_broker() -> Probe:
    if not settings.CELERY_BROKER_URL:
        return Probe(True, "in-process (no broker configured)")
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return Probe(True, "amqp")
    except Exception as exc:
        return Probe(False, f"broker: {exc.__class__.__name__}: {exc}")


def probe_heartbeat(role: str) -> Probe:
    """``role``'s newest heartbeat is younger than HEARTBEAT_STALE_SECONDS."""
    if not settings.CELERY_BROKER_URL:
        return Probe(True, "in-process (no workers or beat in the embedded mode)")
    try:
        beat = heartbeat_latest(role=role)
    except Exception as exc:
        return Probe(False, f"heartbeat unreadable: {exc.__class__.__name__}: {exc}")
    if beat is None:
        return Probe(False, f"no {role} heartbeat yet")
    age = round(beat.age, 1)
    limit = settings.HEARTBEAT_STALE_SECONDS
    detail = f"{beat.node}, {age:g} s ago" if age <= limit else f"stale: {beat.node}, {age:g} s ago (limit {limit:g} s)"
    return Probe(age <= limit, detail, {"age_seconds": age, "node": beat.node})


def readiness() -> dict[str, Probe]:
    return {"database": probe_database(), "cache": probe_cache(), "broker": probe_broker(),
            **{role: probe_heartbeat(role) for role in ROLES}}
