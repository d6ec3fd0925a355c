"""Concurrent writers on PostgreSQL: a webhook delivered twice at the same moment and two syncs of
the same invoice racing each still have one effect; with the row lock turned off, they do not."""
import time

import pytest

from bookings.payments.models import Invoice, WebhookDelivery
from bookings.payments.services import invoice_sync
from bookings.payments.services import invoices as invoice_services
from bookings.payments.services.webhooks import signature_for, webhook_receive
from tests.concurrency import run_concurrently
from tests.payments.conftest import topics

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(target, n: int) -> list:
    """``target()`` in ``n`` real concurrent threads; none of them may fail."""
    results = run_concurrently(n, lambda _i: target())
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def test_the_same_delivery_arriving_eight_times_at_once_is_stored_once():
    body = (b'{"deliveryId": "dlv-race", "type": "InvoiceProcessing", "invoiceId": "X", "timestamp": %d}'
            % int(time.time()))
    results = run_together(lambda: webhook_receive(body=body, signature=signature_for(body))[1], 8)
    assert sorted(results) == [False] * 7 + [True]
    assert WebhookDelivery.objects.count() == 1


@pytest.fixture
def seen_invoice(chain, open_invoice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    invoice = open_invoice(coin="BTC")
    chain.pay(invoice, invoice.amount_due)
    invoice = invoice_sync(invoice=invoice)  # processing, the payment in the ledger
    chain.mine(2)  # the next look at the processor settles it
    return invoice


def slow_derive(monkeypatch):
    """Widen the window between reading the invoice and writing it, so that racers overlap."""
    derive = invoice_services._derive

    def slow(invoice, **kwargs):
        time.sleep(0.3)
        return derive(invoice, **kwargs)

    monkeypatch.setattr(invoice_services, "_derive", slow)


def test_racing_syncs_publish_settled_once(seen_invoice, monkeypatch):
    slow_derive(monkeypatch)
    run_together(lambda: invoice_sync(invoice=Invoice.objects.get(pk=seen_invoice.pk)).status, 4)
    assert topics(seen_invoice.reference) == ["payment.processing", "payment.settled"]


def test_negative_control_without_the_row_lock_the_race_publishes_twice(seen_invoice, monkeypatch):
    slow_derive(monkeypatch)
    monkeypatch.setattr(invoice_services.Invoice.objects.__class__, "select_for_update",
                        lambda self, *a, **k: self.all(), raising=False)
    run_together(lambda: invoice_sync(invoice=Invoice.objects.get(pk=seen_invoice.pk)).status, 4)
    assert topics(seen_invoice.reference).count("payment.settled") > 1
