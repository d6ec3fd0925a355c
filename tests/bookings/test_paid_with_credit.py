"""A booking platform credit (and points) pay entirely: placed with no invoice at all, moved on as
paid at once (confirmed for our own hotel), accounted for by ``money_check``, and cancelled back
to credit. Real PostgreSQL and Redis; the processor sandbox over HTTP is asked for the invoice it
must not have. (Supplier offers paid this way, through a real worker: test_supplier_trips.py.)"""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.payments.adapters import processor
from bookings.payments.models import CreditEntry, Invoice, Refund
from bookings.payments.selectors import credit_balance_of
from core.models import OutboxMessage
from rewards.models import BookingPoints
from rewards.services import balance_adjust
from tests.bookings.test_credit import _lock, _place, _stay_body, give_credit
from tests.bookings.test_money_check import money_check
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def _pay_all_with_credit(api, room, traveller, *, plan=1, credit=None, **extra):
    """Lock the stay with enough credit (what is left after ``extra``'s points: all of the price
    unless told) and place it. The traveller holds 300.00 of credit."""
    give_credit(traveller, "300.00")
    if credit is None:
        credit = _lock(api, room, rate_plan=room[plan].pk).json()["subtotal"]
    lock = _lock(api, room, credit=credit, rate_plan=room[plan].pk, **extra)
    assert lock.status_code == 201, lock.content
    return lock.json(), _place(api, lock.json()["lock_id"])


def test_credit_that_covers_the_total_places_a_booking_with_nothing_to_pay_confirmed_at_once(
        api, room, traveller, payments_sandbox):
    lock, placed = _pay_all_with_credit(api, room, traveller)
    assert (lock["subtotal"], lock["credit"], lock["total"], lock["amount_due"]) == ("230.00", "230.00", "0.00", "0")

    assert placed.status_code == 201, placed.content
    body = placed.json()
    reference = body["reference"]
    assert body["status"] == "confirmed" and body["total"] == "0.00"
    assert body["payment"]["status"] == "nothing_to_pay"
    # no invoice here, none queued for the processor, none at the processor
    assert not Invoice.objects.filter(reference=reference).exists()
    assert not OutboxMessage.objects.filter(topic="task:payments.submit_invoice").exists()
    assert processor.invoice_find(order_id=reference) is None
    # the credit paid it: spent in the placement, and the booking went the way a settled payment goes
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("70.00")
    booking = Booking.objects.get(reference=reference)
    assert list(booking.events.order_by("id").values_list("action", "status_to")) == [
        ("booking.placed", "pending"), ("booking.payment.settled", "payment_confirmed"),
        ("booking.confirmed", "confirmed")]
    assert OutboxMessage.objects.filter(topic="booking.confirmed", key=reference).count() == 1
    # every coin and point is still accounted for
    out, err = money_check()
    assert err == "" and "Every coin and point is accounted for" in out, (out, err)


def test_points_and_credit_together_can_pay_it_all_and_the_points_are_used_as_usual(
        api, room, traveller, payments_sandbox, eager_tasks, django_capture_on_commit_callbacks):
    balance_adjust(user_id=traveller.pk, points=5000, reason="test points", staff_user=StaffUserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        lock, placed = _pay_all_with_credit(api, room, traveller, credit="200.00", points=3000)
    assert (lock["discount"], lock["total"]) == ("230.00", "0.00")

    assert placed.status_code == 201 and placed.json()["status"] == "confirmed", placed.content
    reference = placed.json()["reference"]
    held = BookingPoints.objects.get(reference=reference)  # rewards heard booking.placed and .confirmed
    assert held.points_held == 3000 and held.hold_state == BookingPoints.HoldState.REDEEMED
    assert held.confirmed_at is not None  # earned on the total paid in crypto: 0.00, as for every booking
    assert not Invoice.objects.filter(reference=reference).exists()
    out, err = money_check()
    assert err == "", err


def test_the_payment_page_of_such_a_booking_leads_to_the_booking_not_to_an_error(api, room, traveller):
    reference = _pay_all_with_credit(api, room, traveller)[1].json()["reference"]

    page = api.get(f"/pay/{reference}/", follow=True)

    assert page.status_code == 200 and page.redirect_chain[-1][0] == f"/bookings/{reference}/"
    assert "Nothing left to pay" in page.content.decode()


def test_the_locked_page_says_nothing_is_left_to_pay_instead_of_a_coin_amount(api, room, traveller):
    give_credit(traveller, "300.00")
    lock = _lock(api, room, credit="230.00").json()

    page = api.get(f"/book/locked/{lock['lock_id']}/").content.decode()

    assert "Nothing left to pay" in page and "1  = " not in page


def test_checkout_offers_credit_up_to_the_whole_total(api, room, traveller):
    give_credit(traveller, "300.00")
    body = _stay_body(room)
    html = api.get("/book/", {k: body[k] for k in ("room_type", "rate_plan", "check_in", "check_out", "rooms",
                                                    "guests")}).content.decode()
    assert "up to <strong>230.00 USD</strong> can be used" in html
    assert 'id="nothing-to-pay"' in html and 'data-total="230.00"' in html  # shown by the page's script


@pytest.mark.parametrize("method", ["crypto", "credit"])
def test_cancelling_it_gives_the_credit_back_whatever_refund_method_is_asked(
        api, room, traveller, method, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reference = _pay_all_with_credit(api, room, traveller)[1].json()["reference"]

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.post(f"/api/bookings/{reference}/cancel/", {"method": method},
                             content_type="application/json")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.content
    # nothing was paid in crypto: no crypto refund, the credit goes back (once, even after the
    # booking.cancelled subscriber ran too)
    assert not Refund.objects.filter(reference=reference).exists()
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("300.00")
    assert CreditEntry.objects.filter(booking_reference=reference, kind="return").count() == 1
    event = Booking.objects.get(reference=reference).events.get(action="booking.cancelled")
    assert event.data["refund_method"] == "credit" and event.data["refund_amount"] == "230.00"
    assert event.data["requested_method"] == method
    out, err = money_check()
    assert err == "", err


def test_a_non_refundable_one_keeps_its_credit_when_cancelled(
        api, room, traveller, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lock, placed = _pay_all_with_credit(api, room, traveller, plan=2)  # the saver rate: non-refundable
    assert lock["total"] == "0.00"
    kept = Decimal("300.00") - Decimal(lock["credit"])
    reference = placed.json()["reference"]

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.post(f"/api/bookings/{reference}/cancel/", {"method": "credit"},
                             content_type="application/json")

    assert cancelled.json()["status"] == "cancelled"
    assert credit_balance_of(user=traveller, currency="USD") == kept  # the credit paid for it, as announced
    assert not CreditEntry.objects.filter(booking_reference=reference, kind="return").exists()


def test_money_check_catches_credit_given_back_twice(api, room, traveller, eager_tasks,
                                                       django_capture_on_commit_callbacks):
    from tests.bookings.test_money_check import money_check_fails

    with django_capture_on_commit_callbacks(execute=True):
        reference = _pay_all_with_credit(api, room, traveller)[1].json()["reference"]
        api.post(f"/api/bookings/{reference}/cancel/", {"method": "credit"}, content_type="application/json")
    entry = CreditEntry.objects.get(booking_reference=reference, kind="return")
    CreditEntry.objects.create(account=entry.account, kind="return", amount=entry.amount,
                               source_key="written-around-the-service", booking_reference=reference)

    assert f"{reference}: credit given back <= credit spent" in money_check_fails()


def test_the_expiry_sweep_leaves_it_alone(api, room, traveller):
    reference = _pay_all_with_credit(api, room, traveller)[1].json()["reference"]
    from bookings.services.lifecycle import bookings_expire_unpaid

    assert bookings_expire_unpaid(now=timezone.now() + timedelta(hours=2)) == 0
    assert Booking.objects.get(reference=reference).status == "confirmed"
