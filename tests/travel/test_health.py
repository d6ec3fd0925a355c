import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_reports_every_part_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:1//")
def test_healthz_names_an_unreachable_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down: broker"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


@pytest.mark.django_db
def test_healthz_names_an_unreachable_cache(client):
    dead_redis = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    with override_settings(CACHES=dead_redis, SESSION_ENGINE="django.contrib.sessions.backends.db"):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down: cache"
    assert body["checks"]["cache"]["detail"].startswith("RedisCache: ")
