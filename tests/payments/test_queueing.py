"""Payments queue their work through the outbox: a broker outage never reaches the caller."""
from datetime import timedelta

import pytest

from bookings.payments.services import invoice_poll
from core.models import OutboxMessage
from core.outbox import outbox_sweep
from tests.core.broker import broker_unreachable

pytestmark = pytest.mark.django_db


@pytest.mark.rabbitmq
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


@pytest.fixture
def paid_invoice(chain, open_invoice):
    from bookings.payments.services import invoice_sync

    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    return invoice_sync(invoice=invoice)


def test_a_pending_crypto_refund_whose_task_was_lost_is_sent_by_the_sweep(
    paid_invoice, payments_sandbox, settings, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from bookings.payments.models import Refund
    from bookings.payments.services import refund_create, refunds_requeue_stuck

    with django_capture_on_commit_callbacks(execute=False):  # queued; the broker was down at commit
        refund = refund_create(reference=paid_invoice.reference, fiat_amount="128.00", method="crypto",
                               reason="hotel closed")
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    queued = OutboxMessage.objects.filter(topic="task:payments.submit_refund", key=str(refund.pk))
    assert refunds_requeue_stuck() == 0  # still waiting in the outbox: not queued twice
    queued.update(published_at=timezone.now() - timedelta(hours=1))  # handed over long ago, then lost
    settings.CELERY_TASK_ALWAYS_EAGER = True

    with django_capture_on_commit_callbacks(execute=True):
        assert refunds_requeue_stuck() == 1

    refund.refresh_from_db()
    assert refund.status == "sent" and len(payments_sandbox.app.refunds) == 1
    assert refunds_requeue_stuck() == 0
