"""Refunds: as platform credit at once, or in crypto through the processor; never more than paid."""
from decimal import Decimal

import pytest

from bookings.payments.errors import InvoiceNotFound, RefundRefused
from bookings.payments.models import CreditEntry, Refund
from bookings.payments.selectors import credit_balance_of
from bookings.payments.services import invoice_sync, refund_create, refund_submit
from tests.factories import UserFactory
from tests.payments.conftest import topics

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller(db):
    return UserFactory(username="credit-traveller")


@pytest.fixture
def paid_invoice(chain, open_invoice):
    invoice = open_invoice(coin="BTC", fiat="128.00")  # 0.002 BTC at 64000
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    return invoice_sync(invoice=invoice)


def test_a_credit_refund_is_recorded_and_announced_at_once(paid_invoice, traveller):
    refund = refund_create(reference=paid_invoice.reference, fiat_amount="64.00", method="credit",
                           reason="cancelled within the free period", user_id=traveller.pk)

    assert (refund.status, refund.crypto_amount) == ("credited", Decimal("0.001"))
    assert topics(paid_invoice.reference)[-1] == "payment.refunded"


def test_a_credit_refund_goes_into_the_travellers_credit_ledger_once(paid_invoice, traveller, client):
    refund = refund_create(reference=paid_invoice.reference, fiat_amount="64.00", method="credit",
                           reason="cancelled within the free period", user_id=traveller.pk)

    entry = CreditEntry.objects.get()
    assert (entry.kind, entry.amount, entry.source_key) == ("refund", Decimal("64.00"), f"refund:{refund.pk}")
    assert entry.booking_reference == paid_invoice.reference
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("64.00")
    client.force_login(traveller)
    page = client.get("/rewards/").content.decode()
    assert "64.00 USD" in page and "Refund as credit" in page


def test_a_credit_refund_without_the_traveller_is_refused_and_writes_nothing(paid_invoice):
    with pytest.raises(RefundRefused, match="needs the traveller"):
        refund_create(reference=paid_invoice.reference, fiat_amount="1.00", method="credit", reason="x")
    assert not Refund.objects.exists() and not CreditEntry.objects.exists()


def test_a_crypto_refund_goes_to_the_processor_once(paid_invoice, payments_sandbox):
    refund = refund_create(reference=paid_invoice.reference, fiat_amount="128.00", method="crypto",
                           reason="hotel closed")
    assert refund.status == "pending" and "payment.refunded" not in topics(paid_invoice.reference)

    sent = refund_submit(refund=refund)
    again = refund_submit(refund=refund)

    assert sent.status == again.status == "sent" and sent.processor_refund_id
    assert [r["amount"] for r in payments_sandbox.app.refunds.values()] == ["0.00200000"]
    assert topics(paid_invoice.reference).count("payment.refunded") == 1


def test_refunds_never_exceed_what_was_paid(paid_invoice, traveller):
    refund_create(reference=paid_invoice.reference, fiat_amount="100.00", method="credit", reason="partial", user_id=traveller.pk)
    with pytest.raises(RefundRefused, match="At most 28.00 USD can still be refunded"):
        refund_create(reference=paid_invoice.reference, fiat_amount="30.00", method="credit", reason="more", user_id=traveller.pk)
    assert Refund.objects.count() == 1


def test_bad_refund_requests_are_refused_with_the_reason(open_invoice, paid_invoice, traveller):
    unpaid = open_invoice(coin="BTC")
    with pytest.raises(RefundRefused, match="Nothing was paid"):
        refund_create(reference=unpaid.reference, fiat_amount="1.00", method="credit", reason="x", user_id=traveller.pk)
    with pytest.raises(RefundRefused, match="must be one of crypto, credit"):
        refund_create(reference=paid_invoice.reference, fiat_amount="1.00", method="cash", reason="x")
    with pytest.raises(InvoiceNotFound):
        refund_create(reference="LT-NOPE", fiat_amount="1.00", method="credit", reason="x", user_id=traveller.pk)
    assert not Refund.objects.exists()
