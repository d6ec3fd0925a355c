"""The payment page /pay/<reference>/ and its status.json: what the traveller sees and can do."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.payments.access import pay_link, pay_link_token
from bookings.payments.models import Invoice
from bookings.payments.services import invoice_sync
from tests.factories import BookingFactory, UserFactory
from tests.payments.conftest import signed

pytestmark = pytest.mark.django_db


def test_the_payment_page_shows_address_amount_qr_countdown_and_the_sandbox_form(client, open_invoice, settings):
    settings.PAYMENT_SANDBOX_CONTROLS = True
    invoice = open_invoice(coin="ETH", fiat="100.00", currency="EUR")

    page = client.get(signed(invoice))

    html = page.content.decode()
    assert page.status_code == 200
    assert invoice.address in html
    assert '<span id="amount-due">0.033967391304347827</span> ETH' in html  # all 18 decimals
    assert re.search(r'<svg role="img" aria-label="QR code to pay ETH to 0x[0-9a-f]{40}" class="qr"', html)
    assert re.search(r'id="countdown" data-seconds="(89\d|900)">1[45]:\d\d<', html)
    assert "Simulate payment (sandbox)" in html
    assert f'href="{signed(invoice)}"' in html  # the no-JS refresh link keeps the signed link
    assert "js/payment" in html


def test_without_the_sandbox_there_is_no_simulate_form_and_simulating_is_refused(client, open_invoice, settings):
    settings.PAYMENT_SANDBOX_CONTROLS = False
    invoice = open_invoice(coin="BTC")

    assert "Simulate payment" not in client.get(signed(invoice)).content.decode()
    assert client.post(signed(invoice, "simulate/"), {"outcome": "exact"}).status_code == 404
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_an_unknown_reference_is_a_404(client):
    assert client.get("/pay/LT-NOPE/").status_code == 404
    assert client.get("/pay/LT-NOPE/status.json").status_code == 404


def test_simulating_an_exact_payment_settles_and_links_to_the_booking(client, open_invoice, settings):
    settings.PAYMENT_SANDBOX_CONTROLS = True
    invoice = open_invoice(coin="BTC")

    answer = client.post(signed(invoice, "simulate/"), {"outcome": "exact"}, follow=True)

    html = answer.content.decode()
    assert answer.redirect_chain[-1][0] == signed(invoice)
    assert ">Paid<" in html
    assert f'href="/bookings/{invoice.reference}/"' in html
    assert Invoice.objects.get(pk=invoice.pk).status == "settled"


def test_simulating_half_leaves_a_partial_payment_and_an_unknown_choice_pays_nothing(client, open_invoice, settings):
    settings.PAYMENT_SANDBOX_CONTROLS = True
    invoice = open_invoice(coin="BTC", fiat="128.00")

    bad = client.post(signed(invoice, "simulate/"), {"outcome": "everything"}, follow=True)
    assert "Choose one of the offered simulations." in bad.content.decode()
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == 0

    client.post(signed(invoice, "simulate/"), {"outcome": "partial"})
    status = client.get(signed(invoice, "status.json")).json()
    assert (status["status"], status["exception"], status["amount_paid"], status["amount_outstanding"]) == (
        "new", "paid_partial", "0.00100000", "0.00100000")


@pytest.mark.django_db(transaction=True)  # the poll's sync is queued after commit, as in a real request
def test_status_json_polls_the_processor_when_webhooks_are_lost(client, chain, open_invoice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    invoice = open_invoice(coin="BTC")
    chain.configure(extra={"webhooks_off": True})
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)

    status = client.get(signed(invoice, "status.json")).json()

    assert status | {"expires_at": None} == {
        "reference": invoice.reference, "status": "settled", "status_label": "Paid", "exception": "",
        "exception_label": "", "coin": "BTC", "amount_due": "0.00200000", "amount_paid": "0.00200000",
        "amount_outstanding": "0.00000000", "amount_confirmed": "0.00200000", "confirmations": 2,
        "confirmations_required": 2, "expires_at": None, "seconds_left": 0, "address": invoice.address,
        "settled": True, "final": True, "booking_url": f"/bookings/{invoice.reference}/",
    }


def test_a_late_payment_tells_the_traveller_that_staff_will_review_it(client, chain, open_invoice, settings):
    settings.PAYMENT_SANDBOX_CONTROLS = True
    invoice = open_invoice(coin="BTC")
    chain.expire(invoice)
    chain.pay(invoice, invoice.amount_due)
    invoice_sync(invoice=invoice)

    html = client.get(signed(invoice)).content.decode()
    assert "Expired · Paid late" in html
    assert "arrived after the invoice expired. Our staff will review it" in html
    assert "Simulate payment" not in html and "svg" not in html  # closed: nothing more to pay


# --- Who may see a payment ------------------------------------------------------------------

@pytest.fixture
def booked_invoice(open_invoice, settings):
    """An open invoice that belongs to a traveller's booking, with the sandbox form on."""
    settings.PAYMENT_SANDBOX_CONTROLS = True
    booking = BookingFactory()
    return booking.user, open_invoice(coin="BTC", reference=booking.reference)


def test_the_traveller_who_booked_sees_the_payment_page_its_status_and_the_sandbox_form(client, booked_invoice):
    traveller, invoice = booked_invoice
    client.force_login(traveller)

    page = client.get(f"/pay/{invoice.reference}/")

    assert page.status_code == 200 and invoice.address in page.content.decode()
    assert f'href="/pay/{invoice.reference}/"' in page.content.decode()
    assert client.get(f"/pay/{invoice.reference}/status.json").json()["status"] == "new"
    paid = client.post(f"/pay/{invoice.reference}/simulate/", {"outcome": "exact"})
    assert paid.status_code == 302 and Invoice.objects.get(pk=invoice.pk).status == "settled"


@pytest.mark.parametrize("visitor", ["anonymous", "another traveller", "hotel staff"])
def test_anyone_else_is_told_the_payment_does_not_exist(client, booked_invoice, visitor):
    _, invoice = booked_invoice
    if visitor != "anonymous":
        client.force_login(UserFactory(is_staff=visitor == "hotel staff"))

    page = client.get(f"/pay/{invoice.reference}/")
    status = client.get(f"/pay/{invoice.reference}/status.json")
    simulate = client.post(f"/pay/{invoice.reference}/simulate/", {"outcome": "exact"})

    assert (page.status_code, status.status_code, simulate.status_code) == (404, 404, 404)
    assert invoice.address not in page.content.decode()
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == 0  # an unpaid booking stays unpaid


def test_a_signed_link_opens_the_page_signed_out_and_keeps_its_token_in_every_link(client, booked_invoice):
    _, invoice = booked_invoice
    link = pay_link(reference=invoice.reference, expires_at=invoice.monitoring_until)

    page = client.get(link)

    html = page.content.decode()
    query = link.split("?")[1]
    assert page.status_code == 200 and invoice.address in html
    assert f'data-status-url="/pay/{invoice.reference}/status.json?{query}"' in html
    assert f'action="/pay/{invoice.reference}/simulate/?{query}"' in html
    assert client.get(f"/pay/{invoice.reference}/status.json?{query}").status_code == 200


def test_a_tampered_expired_or_borrowed_signed_link_is_a_404(client, booked_invoice, open_invoice):
    _, invoice = booked_invoice
    other = open_invoice(coin="BTC")
    good = pay_link_token(reference=invoice.reference, expires_at=invoice.monitoring_until)
    expired = pay_link_token(reference=invoice.reference, expires_at=timezone.now() - timedelta(seconds=1))
    someone_elses = pay_link_token(reference=other.reference, expires_at=other.monitoring_until)

    for token in (good[:-1] + ("A" if good[-1] != "A" else "B"), expired, someone_elses, "garbage", ""):
        assert client.get(f"/pay/{invoice.reference}/", {"t": token}).status_code == 404, token
        assert client.post(f"/pay/{invoice.reference}/simulate/?t={token}", {"outcome": "exact"}).status_code == 404
    assert Invoice.objects.get(pk=invoice.pk).amount_paid == 0
