"""A payment that settles counts once in /metrics' ``travel_payments_settled_total``."""
import pytest
from prometheus_client import REGISTRY

from bookings.payments.services import invoice_sync

pytestmark = pytest.mark.django_db


def settled_count() -> float:
    return REGISTRY.get_sample_value("travel_payments_settled_total") or 0.0


def test_a_settled_invoice_counts_once_however_often_it_is_synced(chain, open_invoice,
                                                                  django_capture_on_commit_callbacks):
    invoice = open_invoice(coin="BTC", fiat="128.00")
    before = settled_count()
    chain.pay(invoice, "0.00200000")
    chain.mine(1)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_sync(invoice=invoice)
    assert invoice.status == "processing" and settled_count() == before  # one confirmation of two

    chain.mine(1)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_sync(invoice=invoice)
        invoice = invoice_sync(invoice=invoice)

    assert invoice.status == "settled" and settled_count() == before + 1
