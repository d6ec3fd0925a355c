"""Probes of the parts the platform runs on, for /healthz and for `make` targets."""
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str


def probe_database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Probe(True, connection.vendor)
    except Exception as exc:
        return Probe(False, f"{connection.vendor}: {exc.__class__.__name__}: {exc}")


def probe_cache() -> Probe:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
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
        return Probe(True, conn.transport_cls if isinstance(conn.transport_cls, str) else "amqp")
    except Exception as exc:
        return Probe(False, f"broker: {exc.__class__.__name__}: {exc}")


def probe_all() -> dict[str, Probe]:
    return {"database": probe_database(), "cache": probe_cache(), "broker": probe_broker()}
