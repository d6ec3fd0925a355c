"""A crypto refund the traveller can claim: the processor (sandbox, over HTTP) answers the refund
with a pull payment whose claim page takes a wallet address checked for the coin; our refresh
follows the claim until it is paid out. Staff see how far it got, never the link."""
from decimal import Decimal

import httpx
import pytest
from django.contrib.auth import get_user_model

from bookings.payments.errors import ProcessorRejected
from bookings.payments.models import Refund
from bookings.payments.services import invoice_sync, refund_claims_refresh, refund_create, refund_submit
from sandboxes.addresses import destination_problem
from tests.payments.conftest import topics

pytestmark = pytest.mark.django_db

BTC_ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
ETH_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"
TRON_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


class Claims:
    """What the traveller does on the processor's claim page, and what the store does after."""

    def __init__(self, url: str):
        self.url = url

    def page(self, link: str) -> httpx.Response:
        return httpx.get(link, timeout=10)

    def claim_on_page(self, link: str, destination: str) -> httpx.Response:
        return httpx.post(link, data={"destination": destination}, timeout=10)

    def claim(self, pull_payment_id: str, **body) -> httpx.Response:
        return httpx.post(f"{self.url}/api/v1/pull-payments/{pull_payment_id}/payouts", json=body, timeout=10)

    def payouts(self, pull_payment_id: str) -> list[dict]:
        return httpx.get(f"{self.url}/api/v1/pull-payments/{pull_payment_id}/payouts", timeout=10).json()

    def pay_out(self, payout_id: str) -> dict:
        response = httpx.post(f"{self.url}/_sandbox/payouts/{payout_id}/complete", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def claims(payments_sandbox):
    return Claims(payments_sandbox.url)


@pytest.fixture
def sent_refund(chain, open_invoice):
    """0.002 BTC paid, all of it refunded in crypto and sent to the processor."""
    invoice = open_invoice(coin="BTC", fiat="128.00")  # 0.002 BTC at 64000
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    invoice_sync(invoice=invoice)
    refund = refund_create(reference=invoice.reference, fiat_amount="128.00", method="crypto", reason="hotel closed")
    return refund_submit(refund=refund)


def test_a_sent_crypto_refund_has_a_claim_link_that_opens_the_claim_page(sent_refund, payments_sandbox, claims):
    assert sent_refund.status == "sent" and sent_refund.claim_state == "unclaimed"
    assert sent_refund.claim_link == f"{payments_sandbox.url}/pull-payments/{sent_refund.processor_refund_id}"
    assert topics(sent_refund.reference).count("payment.refunded") == 1

    page = claims.page(sent_refund.claim_link)

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "0.00200000 BTC" in page.text and 'name="destination"' in page.text


def test_the_same_refund_submitted_twice_makes_one_pull_payment(sent_refund, payments_sandbox):
    from bookings.payments.adapters import processor

    again = refund_submit(refund=sent_refund)
    # the processor answers the same pull payment when our first answer was lost
    resent = processor.refund_send(invoice_id=sent_refund.invoice.processor_id, name=f"refund-{sent_refund.pk}",
                                   amount=Decimal("0.002"), currency="BTC", description="again")

    assert again.processor_refund_id == resent.id == sent_refund.processor_refund_id
    assert resent.view_link == sent_refund.claim_link
    assert len(payments_sandbox.app.refunds) == 1


@pytest.mark.parametrize("destination, reason", [
    (ETH_ADDRESS, "is not a valid BTC address"),
    (BTC_ADDRESS[:-1] + "5", "is not a valid BTC address"),  # one character off: the checksum fails
    ("", "A destination address is required"),
])
def test_a_bad_address_for_the_coin_is_refused_with_the_reason_and_changes_nothing(sent_refund, claims, destination,
                                                                                   reason):
    on_page = claims.claim_on_page(sent_refund.claim_link, destination)
    through_api = claims.claim(sent_refund.processor_refund_id, destination=destination)

    assert on_page.status_code == 400 and reason in on_page.text and 'name="destination"' in on_page.text
    assert through_api.status_code == 400 and reason in through_api.json()["message"]
    assert claims.payouts(sent_refund.processor_refund_id) == []
    assert refund_claims_refresh() == {"checked": 1, "paid_out": 0, "refused": 0, "unavailable": 0}
    assert Refund.objects.get(pk=sent_refund.pk).claim_state == "unclaimed"


def test_a_good_address_is_claimed_once_paid_out_and_our_refresh_follows_it(sent_refund, claims):
    # when the traveller claims to a good address
    page = claims.claim_on_page(sent_refund.claim_link, BTC_ADDRESS)
    assert page.status_code == 200 and "This refund has been claimed" in page.text
    [payout] = claims.payouts(sent_refund.processor_refund_id)
    assert (payout["state"], payout["destination"], payout["originalAmount"]) == ("AwaitingApproval", BTC_ADDRESS,
                                                                                  "0.00200000")
    refund_claims_refresh()
    assert Refund.objects.get(pk=sent_refund.pk).claim_state == "claimed"

    # then a second claim is refused
    second = claims.claim(sent_refund.processor_refund_id, destination=BTC_ADDRESS)
    assert second.status_code == 400 and "already been claimed" in second.json()["message"]

    # when the store sends the payout, our refresh marks the refund paid out with its transaction
    sent = claims.pay_out(payout["id"])
    assert refund_claims_refresh() == {"checked": 1, "paid_out": 1, "refused": 0, "unavailable": 0}
    refund = Refund.objects.get(pk=sent_refund.pk)
    assert (refund.claim_state, refund.payout_txid) == ("paid_out", sent["paymentProof"]["transactionId"])
    assert refund.paid_out_at is not None
    # and a paid-out refund is not asked about again
    assert refund_claims_refresh()["checked"] == 0


def test_a_payout_completed_at_once_is_paid_out_at_the_next_refresh(sent_refund, chain, claims):
    chain.configure(extra={"payouts_auto_complete": True})

    claimed = claims.claim(sent_refund.processor_refund_id, destination=BTC_ADDRESS, paymentMethod="BTC")

    assert claimed.status_code == 200 and claimed.json()["state"] == "Completed"
    refund_claims_refresh()
    assert Refund.objects.get(pk=sent_refund.pk).claim_state == "paid_out"


def test_a_refresh_while_the_processor_is_down_changes_nothing_and_the_next_one_catches_up(sent_refund, chain,
                                                                                         claims):
    claims.claim(sent_refund.processor_refund_id, destination=BTC_ADDRESS)
    chain.configure(down=True)
    assert refund_claims_refresh() == {"checked": 0, "paid_out": 0, "refused": 0, "unavailable": 1}
    assert Refund.objects.get(pk=sent_refund.pk).claim_state == "unclaimed"

    chain.configure(down=False)
    refund_claims_refresh()
    assert Refund.objects.get(pk=sent_refund.pk).claim_state == "claimed"


def test_a_refund_answer_without_a_claim_link_is_refused_and_the_refund_stays_pending(chain, open_invoice,
                                                                                      payments_sandbox):
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    invoice_sync(invoice=invoice)
    refund = refund_create(reference=invoice.reference, fiat_amount="128.00", method="crypto", reason="closed")
    chain.configure(extra={"refund_answer_drops": ["viewLink"]})

    with pytest.raises(ProcessorRejected, match="has no viewLink"):
        refund_submit(refund=refund)

    refund.refresh_from_db()
    assert (refund.status, refund.claim_link, refund.claim_state) == ("pending", "", "")
    assert "payment.refunded" not in topics(invoice.reference)  # so no "refunded" email without a link


def test_staff_see_how_far_the_claim_got_but_never_the_link(sent_refund, client):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "pass-for-tests"))

    listing = client.get("/admin/payments/refund/").content.decode()
    change = client.get(f"/admin/payments/refund/{sent_refund.pk}/change/").content.decode()
    invoice = client.get(f"/admin/payments/invoice/{sent_refund.invoice_id}/change/").content.decode()

    assert "Waiting for the traveller to claim it" in listing and "Waiting for the traveller to claim it" in change
    for page in (listing, change, invoice):
        assert sent_refund.claim_link not in page and "/pull-payments/" not in page


@pytest.mark.parametrize("coin, good, bad", [
    ("BTC", BTC_ADDRESS, ETH_ADDRESS),
    ("BTC", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"),
    ("LTC", "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", BTC_ADDRESS),
    ("ETH", ETH_ADDRESS, "0x52908400098527886E0F7030069857D2E4169EE"),
    ("USDT-ERC20", ETH_ADDRESS, TRON_ADDRESS),
    ("USDT-TRC20", TRON_ADDRESS, ETH_ADDRESS),
    ("USDT-TRC20", TRON_ADDRESS, TRON_ADDRESS[:-1] + "u"),
    ("SOL", "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV", ETH_ADDRESS),
])
def test_the_processor_checks_a_destination_for_the_coins_family(coin, good, bad):
    assert destination_problem(coin, good) == ""
    assert f"is not a valid {coin} address" in destination_problem(coin, bad)
