"""A real Celery worker on RabbitMQ submits an invoice opened while the processor is down,
retrying with backoff until the processor answers."""
import time

import pytest
from django.db import transaction

from bookings.payments.models import Invoice
from bookings.payments.services import invoice_open

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_processor_down_then_the_worker_submits_the_invoice_once_it_is_back(celery_worker, chain, payments_sandbox,
                                                                              rates):
    chain.configure(down=True)

    with transaction.atomic():  # as the booking does: the invoice is a row in its transaction
        invoice = invoice_open(reference="LT-WORKER-1", fiat_amount="128.00", fiat_currency="USD",
                               coin_code="BTC", crypto_amount="0.002", rate="64000")

    wait_until(lambda: chain.calls() >= 2, 30, "the worker to try (and retry) against the down processor")
    assert Invoice.objects.get(pk=invoice.pk).processor_id == ""
    chain.configure(down=False)

    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).processor_id, 60, "the retried submit")
    invoice.refresh_from_db()
    assert invoice.address and invoice.submit_attempts >= 3
    assert chain.invoice_count() == 1
