"""/healthz answers while the process lives; /readyz names each dependency that fails."""
import time

import pytest
from django.test import override_settings

from core.heartbeat import heartbeat_record

DEAD_REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
}
DEAD_BROKER = "amqp://guest:guest@127.0.0.1:1//"


@pytest.fixture
def fresh_heartbeats():
    heartbeat_record(role="worker", node="worker-test@host")
    heartbeat_record(role="beat", node="beat@host")


def test_healthz_answers_without_asking_any_dependency(client):
    # no database access allowed (no django_db mark), a dead cache and a dead broker
    with override_settings(CACHES={"default": DEAD_REDIS, "locks": DEAD_REDIS}, CELERY_BROKER_URL=DEAD_BROKER):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_part_up(client, fresh_heartbeats):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "broker", "worker", "beat"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
@pytest.mark.rabbitmq
def test_readyz_names_an_unreachable_broker(client, fresh_heartbeats):
    with override_settings(CELERY_BROKER_URL=DEAD_BROKER):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready: broker"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


@pytest.mark.django_db
@pytest.mark.redis
def test_readyz_names_an_unreachable_cache(client, fresh_heartbeats):
    with override_settings(CACHES={"default": {**DEAD_REDIS, "OPTIONS": {**DEAD_REDIS["OPTIONS"], "IGNORE_EXCEPTIONS": True}},
                                   "locks": DEAD_REDIS}):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"].startswith("not ready: cache")
    assert body["checks"]["cache"]["detail"].startswith("RedisCache: ")
    assert not body["checks"]["worker"]["ok"]  # the heartbeats live in Redis: unreadable


@pytest.mark.django_db
@pytest.mark.rabbitmq
def test_readyz_says_not_ready_when_no_worker_ever_beat(client):
    heartbeat_record(role="beat", node="beat@host")

    body = client.get("/readyz").json()

    assert body["status"] == "not ready: worker"
    assert body["checks"]["worker"]["detail"] == "no worker heartbeat yet"


@pytest.mark.django_db
@pytest.mark.rabbitmq
def test_readyz_reports_a_stale_heartbeat_with_its_age(client, fresh_heartbeats, settings, time_machine):
    settings.HEARTBEAT_STALE_SECONDS = 90
    heartbeat_record(role="worker", node="worker-1@host")

    time_machine.move_to(time.time() + 200, tick=False)
    heartbeat_record(role="beat", node="beat@host")  # beat still going, the worker not
    response = client.get("/readyz")

    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert not worker["ok"] and worker["node"] == "worker-1@host"
    assert 199 <= worker["age_seconds"] <= 202
    assert worker["detail"].startswith("stale: worker-1@host, 2") and "limit 90 s" in worker["detail"]
    assert response.json()["checks"]["beat"]["ok"]


def test_readyz_in_the_embedded_mode_needs_no_workers(client, settings, db):
    settings.CELERY_BROKER_URL = ""

    body = client.get("/readyz").json()

    assert body["checks"]["worker"] == {"ok": True, "detail": "in-process (no workers or beat in the embedded mode)"}
    assert body["checks"]["broker"]["ok"]
