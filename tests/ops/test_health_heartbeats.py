"""Workers and beat write heartbeats that /readyz reports: a real worker and a real beat make the
site ready; a worker that stops makes it "not ready", with the age of its last heartbeat."""
import time

import pytest

from tests.fixtures.worker import beat_process, wait_for, worker_process

pytestmark = [pytest.mark.redis, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def _checks(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]


def test_readyz_follows_the_heartbeats_of_a_real_worker_and_beat(client, monkeypatch, settings, django_db_blocker,
                                                                   artifacts_dir):
    monkeypatch.setenv("HEARTBEAT_SECONDS", "1")  # the processes started below beat every second
    status, checks = _checks(client)
    assert status == 503 and checks["worker"]["detail"] == "no worker heartbeat yet"

    with worker_process(queues=["default"], name="ops-heartbeat", concurrency=1, django_db_blocker=django_db_blocker,
                        log_path=artifacts_dir / "ops-worker-heartbeat.log"), \
            beat_process(log_path=artifacts_dir / "ops-beat-heartbeat.log", django_db_blocker=django_db_blocker):
        # then the site is ready, naming the worker and beat it heard from
        assert wait_for(lambda: _checks(client)[0] == 200, timeout=30), _checks(client)
        checks = _checks(client)[1]
        assert checks["worker"]["node"].startswith("ops-heartbeat-") and checks["beat"]["node"].startswith("beat@")
        # and the worker keeps beating (its timer, not only at start)
        time.sleep(3)
        assert _checks(client)[1]["worker"]["age_seconds"] < 2.5

    # when the worker and beat stop, then after HEARTBEAT_STALE_SECONDS the site is not ready, and says
    # how old the last heartbeats are
    settings.HEARTBEAT_STALE_SECONDS = 3
    assert wait_for(lambda: not _checks(client)[1]["worker"]["ok"], timeout=15)
    status, checks = _checks(client)
    assert status == 503
    assert checks["worker"]["detail"].startswith("stale: ops-heartbeat-")
    assert checks["worker"]["age_seconds"] > 3
