"""The broker goes away while travellers book: every booking is accepted at once (its follow-up
work waits in the outbox), and once the broker is back the outbox drains with nothing lost and
nothing done twice (one invoice per booking at the payment processor).

The site (gunicorn) and beat reach RabbitMQ through a gate the test closes and opens: closed,
the broker's port refuses and open connections are cut; the shared broker is never touched."""
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from django.conf import settings

from bookings.models import Booking
from bookings.payments.models import Invoice
from core.models import OutboxMessage
from tests.fixtures.worker import beat_process, wait_for, worker_process
from tests.ops.conftest import PASSWORD
from tests.ops.processes import TcpGate, lock_price, post_form, sign_in, site_server, stay_form

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

BOOKINGS = 4
SUBMIT = "task:payments.submit_invoice"


def _through(gate: TcpGate, url: str) -> str:
    parts = urlsplit(url)
    auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{gate.port}"))


def test_bookings_are_accepted_while_the_broker_is_down_and_their_work_runs_once_after(
        hotel, traveller, database_url, suppliers_server, payments_server, artifacts_dir, django_db_blocker):
    room_type, flexible, _saver = hotel
    gate = TcpGate(urlsplit(settings.CELERY_BROKER_URL).port or 5672)
    broker_via_gate = _through(gate, settings.CELERY_BROKER_URL)
    with site_server(env={"DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_via_gate,
                          "CACHE_KEY_PREFIX": "ops-broker", "SUPPLIER_API_URL": suppliers_server.url,
                              # one traveller books them all, unpaid: above the default cap of 3
                              "BOOKINGS_MAX_PENDING": str(BOOKINGS + 1)},
                     log_path=artifacts_dir / "ops-site-broker.log") as site, \
            httpx.Client(base_url=site, timeout=60) as browser:
        assert sign_in(browser, username=traveller.username, password=PASSWORD).status_code == 302

        # given the broker is down (the gate is closed)
        # when travellers book
        seconds = []
        for _ in range(BOOKINGS):
            held = lock_price(browser, stay_form(room_type, flexible))  # 5 rooms a night: room for all
            started = time.monotonic()
            placed = post_form(browser, "/book/place/", held)
            seconds.append(time.monotonic() - started)
            # then each booking is accepted at once
            assert placed.status_code == 302 and placed.headers["location"].startswith("/pay/"), placed.text[:300]
        print("broker down, seconds per booking placed:", [round(s, 3) for s in seconds])
        references = set(Booking.objects.values_list("reference", flat=True))
        assert len(references) == BOOKINGS
        waiting = OutboxMessage.objects.filter(topic=SUBMIT)
        assert waiting.count() == BOOKINGS and not waiting.filter(published_at__isnull=False).exists()

    # when the broker is back, with a worker and beat as the Procfile runs them
    gate.open()
    try:
        with worker_process(queues=list(settings.TASK_QUEUES), name="ops-broker", concurrency=2,
                            log_path=artifacts_dir / "ops-worker-broker.log", django_db_blocker=django_db_blocker), \
                beat_process(log_path=artifacts_dir / "ops-beat-broker.log", django_db_blocker=django_db_blocker,
                             env={"CELERY_BROKER_URL": broker_via_gate}):
            # then the outbox drains and every booking's invoice reaches the processor
            assert wait_for(lambda: not OutboxMessage.objects.filter(topic=SUBMIT, published_at__isnull=True).exists(),
                            timeout=90), "the outbox did not drain"
            assert wait_for(lambda: not Invoice.objects.filter(reference__in=references, processor_id="").exists(),
                            timeout=60), "an invoice never reached the processor"
            time.sleep(3)  # a second sweep or a duplicate delivery would land meanwhile
    finally:
        gate.close()

    # and nothing was done twice: one outbox row and one processor invoice per booking
    assert OutboxMessage.objects.filter(topic=SUBMIT).count() == BOOKINGS
    with payments_server.app.state_lock:
        orders = [invoice["metadata"].get("orderId") for invoice in payments_server.app.invoices.values()]
    mine = [order for order in orders if order in references]
    assert sorted(mine) == sorted(references), orders
