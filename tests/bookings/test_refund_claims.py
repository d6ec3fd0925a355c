"""A traveller cancels a paid booking and is refunded in crypto: a real Celery worker sends the
refund to the processor sandbox, the "refunded" email and the booking page carry the claim link,
the claim page refuses an address of another coin, takes a good one, and once the processor has
paid out our refresh (through the worker) shows the refund as paid out. Nobody else sees the link."""
from datetime import timedelta
from io import StringIO

import httpx
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bookings.models import Booking
from bookings.payments.adapters.processor import processor_base_url
from bookings.payments.models import Refund
from tests.bookings import chain
from tests.bookings.test_emails_worker import _text, mail_dir, mail_worker, sent  # noqa: F401 (fixtures)
from tests.factories import UserFactory, place_stay_through_api
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_sandboxes")]

BTC_ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
ETH_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


def _confirmed_booking(api, room) -> str:
    reference = place_stay_through_api(api, room, key="claim-1")
    chain.pay(reference)
    assert wait_for(lambda: Booking.objects.get(reference=reference).status == Booking.Status.CONFIRMED, timeout=40)
    return reference


def _refunded_email(mail_dir, reference: str):
    return next((m for m in sent(mail_dir) if str(m["subject"]) == f"Booking {reference}: your refund is on its way"),
                None)


def _refund_section(page: str) -> str:
    return page.split('id="refunds-h"', 1)[1].split("</section>", 1)[0]


def test_a_cancelled_paid_booking_is_refunded_with_a_claim_link_the_traveller_uses(mail_worker, mail_dir, api,
                                                                                   room):
    reference = _confirmed_booking(api, room)

    # when the traveller cancels within the free period and asks for a refund in BTC
    cancelled = api.post(f"/bookings/{reference}/cancel/", {"method": "crypto"})
    assert cancelled.status_code == 302

    # then the worker sends the refund, and the "refunded" email carries its claim link
    email = wait_for(lambda: _refunded_email(mail_dir, reference), timeout=60)
    assert email, [str(m["subject"]) for m in sent(mail_dir)]
    refund = Refund.objects.select_related("invoice").get(reference=reference)
    assert refund.status == "sent" and refund.claim_link.startswith("http")
    text = _text(email)
    assert f"Claim your refund: {refund.claim_link}" in text
    assert "enter the address of your BTC wallet" in text and f"{refund.crypto_amount:.8f} BTC" in text
    html = email.get_body(preferencelist=("html",)).get_content()
    assert f'href="{refund.claim_link}"' in html

    # and the link opens the processor's claim page for that amount
    claim_page = httpx.get(refund.claim_link, timeout=10)
    assert claim_page.status_code == 200 and f"{refund.crypto_amount:.8f} BTC" in claim_page.text

    # and the booking page offers it to the traveller, ready to claim
    detail = _refund_section(api.get(f"/bookings/{reference}/").content.decode())
    assert "Claim your refund" in detail and f'href="{refund.claim_link}"' in detail and "Ready to claim" in detail

    # but another traveller sees neither the booking nor its link
    stranger = Client()
    stranger.force_login(UserFactory(username="someone-else"))
    assert stranger.get(f"/bookings/{reference}/").status_code == 404

    # when the traveller gives an Ethereum address for a BTC refund, it is refused with the reason
    refused = httpx.post(refund.claim_link, data={"destination": ETH_ADDRESS}, timeout=10)
    assert refused.status_code == 400 and "is not a valid BTC address" in refused.text
    assert _refresh_through_the_worker(mail_worker, refund).claim_state == "unclaimed"

    # when they give a good address, the claim is taken and the processor pays it out
    claimed = httpx.post(refund.claim_link, data={"destination": BTC_ADDRESS}, timeout=10)
    assert claimed.status_code == 200 and "This refund has been claimed" in claimed.text
    processor = processor_base_url()
    [payout] = httpx.get(f"{processor}/api/v1/pull-payments/{refund.processor_refund_id}/payouts", timeout=10).json()
    httpx.post(f"{processor}/_sandbox/payouts/{payout['id']}/complete", timeout=10).raise_for_status()

    # then our refresh marks it paid out, and the booking page says so
    assert _refresh_through_the_worker(mail_worker, refund).claim_state == "paid_out"
    detail = _refund_section(api.get(f"/bookings/{reference}/").content.decode())
    assert "Paid out to your wallet" in detail and "Claim your refund" not in detail

    # and every coin is still accounted for
    out = StringIO()
    call_command("money_check", stdout=out, stderr=StringIO())
    assert "Every coin and point is accounted for" in out.getvalue()


def _refresh_through_the_worker(worker, refund: Refund) -> Refund:
    """Run the periodic refresh on the worker (as beat would) and wait until it has checked ``refund``."""
    before = Refund.objects.get(pk=refund.pk).claim_checked_at
    worker.tasks["payments.refresh_refund_claims"].apply_async()
    checked = wait_for(lambda: (row := Refund.objects.get(pk=refund.pk)).claim_checked_at != before and row,
                       timeout=30)
    assert checked, "the worker never refreshed the refund's claim"
    return checked
