"""A request is followed by its id: answered in X-Request-ID, on every log line of the request and
of every worker task it caused (through the outbox, after commit, and later through the sweep)."""
import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import structlog
from django.conf import settings
from django.utils import timezone

from core.outbox import outbox_sweep
from tests.bookings.conftest import api, clean_sandboxes, coins, room, traveller  # noqa: F401
from tests.core.broker import broker_unreachable
from tests.factories import guests_body
from tests.fixtures.worker import wait_for, worker_process
from tests.travel.test_production_settings import FULL, run_manage

REQUEST_ID = "edge-7f3a9c2e-0001"


def _lock_and_place(api, room, *, request_id):  # noqa: F811
    check_in = timezone.localdate() + timedelta(days=10)
    locked = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC",
    }, content_type="application/json")
    assert locked.status_code == 201, locked.content
    return api.post("/api/bookings/", {"lock_id": locked.json()["lock_id"], "guests": guests_body()},
                    content_type="application/json",
                    headers={"Idempotency-Key": "k-1", "X-Request-ID": request_id})


def _lines_with(log_path, *needles):
    text = log_path.read_text() if log_path.exists() else ""
    return [line for line in text.splitlines() if all(n in line for n in needles)]


def test_a_well_formed_request_id_is_kept_and_answered(client, db):
    response = client.get("/robots.txt", headers={"X-Request-ID": REQUEST_ID})

    assert response["X-Request-ID"] == REQUEST_ID


@pytest.mark.parametrize("sent", ["", "short", "two\nlines-injected-here", "x" * 300, "spaces are not ids ok"])
def test_an_ill_formed_or_missing_request_id_is_replaced_by_a_new_one(client, db, sent):
    headers = {"X-Request-ID": sent} if sent else {}

    first = client.get("/robots.txt", headers=headers)["X-Request-ID"]
    second = client.get("/robots.txt", headers=headers)["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.parametrize("sent", [REQUEST_ID, None])
def test_the_request_id_is_on_every_log_line_of_the_request_and_gone_after_it(client, db, caplog, sent):
    caplog.set_level("INFO")

    answered = client.get("/robots.txt", headers={"X-Request-ID": sent} if sent else {})["X-Request-ID"]

    logged = [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event", "").startswith("request_")]
    assert [m["event"] for m in logged] == ["request_started", "request_finished"]
    assert all(m["request_id"] == answered for m in logged) and answered == (sent or answered)
    assert structlog.contextvars.get_contextvars() == {}  # nothing leaks into the next request


@pytest.mark.parametrize("proxies, logged_ip", [(0, "203.0.113.9"), (1, "198.51.100.4")])
def test_the_logged_address_is_the_one_the_throttles_trust_not_a_forwarded_header_the_client_wrote(
        client, db, caplog, settings, proxies, logged_ip):
    settings.TRUSTED_PROXY_COUNT = proxies  # 1: one proxy of ours appends the address it received from
    caplog.set_level("INFO")

    client.get("/robots.txt", REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.4"})

    logged = [r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "request_started"]
    assert [m["ip"] for m in logged] == [logged_ip]


@pytest.mark.usefixtures("clean_sandboxes")
@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_the_worker_task_a_booking_request_caused_logs_the_request_id_and_the_booking(
    api, room, tmp_path, django_db_blocker  # noqa: F811
):
    log_path = tmp_path / "worker.log"
    with worker_process(queues=list(settings.TASK_QUEUES), name="logs", log_path=log_path,
                        django_db_blocker=django_db_blocker):
        # when a traveller places a booking; the invoice is submitted by a worker task after commit
        placed = _lock_and_place(api, room, request_id=REQUEST_ID)
        assert placed.status_code == 201, placed.content
        reference = placed.json()["reference"]

        # then the worker's lines for that task carry the request id and the booking reference
        assert wait_for(lambda: _lines_with(log_path, "task_finished", "payments.submit_invoice", REQUEST_ID),
                        timeout=60), log_path.read_text()[-3000:]
    started = _lines_with(log_path, "task_started", "payments.submit_invoice")
    assert started and all(f"request_id={REQUEST_ID}" in line and f"booking_reference={reference}" in line
                           for line in started), started
    assert placed["X-Request-ID"] == REQUEST_ID


@pytest.mark.usefixtures("clean_sandboxes")
@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_work_the_outbox_sweep_sends_later_still_carries_the_request_id(api, room, tmp_path,  # noqa: F811
                                                                         django_db_blocker):
    # given a booking placed while the broker was unreachable: its invoice task waits in the outbox
    with broker_unreachable():
        placed = _lock_and_place(api, room, request_id=REQUEST_ID)
    assert placed.status_code == 201, placed.content

    log_path = tmp_path / "worker.log"
    with worker_process(queues=list(settings.TASK_QUEUES), name="sweep", log_path=log_path,
                        django_db_blocker=django_db_blocker):
        # when the sweep (outside any request) hands it over
        assert outbox_sweep(older_than=timedelta(0)) >= 1

        # then the task still logs under the request that caused it
        assert wait_for(lambda: _lines_with(log_path, "task_started", "payments.submit_invoice", REQUEST_ID),
                        timeout=60), log_path.read_text()[-3000:]


def test_production_writes_one_json_object_per_line_with_the_context():
    script = ("import logging, structlog; "
              "structlog.contextvars.bind_contextvars(request_id='r-12345678', booking_reference='BKX'); "
              "logging.getLogger('travel.check').warning('hello %s', 'json')")

    result = run_manage("shell", "-c", script, **FULL)

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert result.returncode == 0, result.stderr
    assert {"event": "hello json", "request_id": "r-12345678", "booking_reference": "BKX", "level": "warning",
            "logger": "travel.check"}.items() <= lines[-1].items()


def test_development_writes_readable_lines():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "travel.settings.base"}
    env.pop("LOG_FORMAT", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import logging; logging.getLogger('travel.check').warning('hello')"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )

    assert "[warning  ] hello" in result.stderr and not result.stderr.lstrip().startswith("{")
