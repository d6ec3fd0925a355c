"""Paying over and under: an overpayment goes back at the traveller's choice (wallet or credit),
once; a shortfall within the coin's tolerance (network-fee dust) counts as paid, a larger one
does not. Real HTTP against the processor sandbox, which accepts any amount."""
from decimal import Decimal

import pytest

from bookings.payments.errors import RefundRefused
from bookings.payments.models import CreditEntry, Refund
from bookings.payments.selectors import credit_balance_of
from bookings.payments.services import excess_return, invoice_sync
from tests.factories import UserFactory
from tests.payments.conftest import topics

pytestmark = pytest.mark.django_db

DUST = Decimal("0.00000500")  # 500 satoshi


@pytest.fixture
def traveller(db):
    return UserFactory(username="excess-traveller")


@pytest.fixture
def overpaid(chain, open_invoice):
    invoice = open_invoice(coin="BTC", fiat="128.00")  # 0.002 BTC at 64000
    chain.pay(invoice, Decimal("0.0025"))  # 0.0005 BTC over = 32.00 USD
    chain.mine(2)
    return invoice_sync(invoice=invoice)


def test_an_overpayment_kept_as_credit_lands_in_the_balance_once(overpaid, traveller):
    assert (overpaid.status, overpaid.excess_amount) == ("settled", Decimal("0.0005"))

    refund = excess_return(reference=overpaid.reference, method="credit", user_id=traveller.pk)

    assert (refund.fiat_amount, refund.crypto_amount, refund.status) == (Decimal("32.00"), Decimal("0.0005"),
                                                                         "credited")
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("32.00")
    assert CreditEntry.objects.get().kind == "excess"
    with pytest.raises(RefundRefused, match="already returned"):
        excess_return(reference=overpaid.reference, method="crypto", user_id=traveller.pk)
    assert Refund.objects.count() == 1


def test_an_overpayment_returned_to_the_wallet_goes_to_the_processor(overpaid, traveller, payments_sandbox):
    from bookings.payments.services import refund_submit

    refund = excess_return(reference=overpaid.reference, method="crypto", user_id=traveller.pk)
    refund_submit(refund=refund)

    assert [r["amount"] for r in payments_sandbox.app.refunds.values()] == ["0.00050000"]
    assert not CreditEntry.objects.exists()


def test_nothing_over_means_nothing_to_return(chain, open_invoice, traveller):
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    invoice_sync(invoice=invoice)
    with pytest.raises(RefundRefused, match="Nothing was paid over"):
        excess_return(reference=invoice.reference, method="credit", user_id=traveller.pk)


def test_a_shortfall_within_the_coins_tolerance_counts_as_paid(chain, open_invoice, settings):
    settings.PAYMENT_SHORTFALL_TOLERANCE = {"BTC": str(DUST)}
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, invoice.amount_due - DUST)
    chain.mine(2)

    invoice = invoice_sync(invoice=invoice)

    assert (invoice.status, invoice.exception, invoice.shortfall_accepted) == ("settled", "", DUST)
    assert "payment.settled" in topics(invoice.reference)


def test_a_shortfall_beyond_the_tolerance_is_not_paid(chain, open_invoice, settings):
    settings.PAYMENT_SHORTFALL_TOLERANCE = {"BTC": str(DUST)}
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, invoice.amount_due - DUST - Decimal("0.00000001"))
    chain.mine(2)

    invoice = invoice_sync(invoice=invoice)

    assert invoice.status == "new" and invoice.exception == "paid_partial"
    assert invoice.shortfall_accepted == 0 and "payment.settled" not in topics(invoice.reference)


def test_without_a_tolerance_for_the_coin_the_amount_due_is_exact(chain, open_invoice, settings):
    settings.PAYMENT_SHORTFALL_TOLERANCE = {"ETH": "0.001"}  # another coin's dust is not BTC's
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, invoice.amount_due - Decimal("0.00000001"))
    chain.mine(2)

    assert invoice_sync(invoice=invoice).status != "settled"
