"""A real Celery worker on RabbitMQ submits an invoice opened while the processor is down,
retrying with backoff until the processor answers."""

import pytest
from django.db import transaction

from bookings.payments.models import Invoice
from bookings.payments.services import invoice_open
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def test_processor_down_then_the_worker_submits_the_invoice_once_it_is_back(celery_worker, chain, payments_sandbox,
                                                                              rates):
    chain.configure(down=True)

    with transaction.atomic():  # as the booking does: the invoice is a row in its transaction
        invoice = invoice_open(reference="LT-WORKER-1", fiat_amount="128.00", fiat_currency="USD",
                               coin_code="BTC", crypto_amount="0.002", rate="64000")

    assert wait_for(lambda: chain.calls() >= 2, timeout=30), "the worker never tried (and retried) the down processor"
    assert Invoice.objects.get(pk=invoice.pk).processor_id == ""
    chain.configure(down=False)

    assert wait_for(lambda: Invoice.objects.get(pk=invoice.pk).processor_id, timeout=60), "the retried submit never landed"
    invoice.refresh_from_db()
    assert invoice.address and invoice.submit_attempts >= 3
    assert chain.invoice_count() == 1
