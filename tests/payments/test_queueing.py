"""Payments queue their work through the outbox: a broker outage never reaches the caller."""
from datetime import timedelta

import pytest

from bookings.payments.services import invoice_poll
from tests.core.broker import broker_unreachable
from travel.models import OutboxMessage
from travel.outbox import outbox_sweep

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db]


def test_the_payment_page_poll_queues_one_sync_per_window_even_with_the_broker_down(
    chain, open_invoice, settings, django_capture_on_commit_callbacks
):
    invoice = open_invoice(coin="BTC")

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        first = invoice_poll(invoice=invoice, every_seconds=5)
        second = invoice_poll(invoice=invoice, every_seconds=5)

    assert (first, second) == (True, False)
    queued = OutboxMessage.objects.get(topic="task:payments.sync_invoice", key=str(invoice.pk))
    assert queued.published_at is None and queued.last_error  # waits for the broker, nothing lost

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back (the task runs in-process here)
    outbox_sweep(older_than=timedelta(0))
    queued.refresh_from_db()
    assert queued.published_at is not None
