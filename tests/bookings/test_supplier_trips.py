"""Flights, activities and partner hotels end to end with a real Celery worker (RabbitMQ,
PostgreSQL, the sandbox supplier and processor over HTTP): lock, place, pay, confirmed at the
supplier; and cancelling a confirmed one cancels it at the supplier, refunded by its terms."""
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import httpx
import pytest
from django.utils import timezone

from bookings.models import Booking, SupplierHold
from bookings.services.supplier_cancel import booking_supplier_cancel
from tests.bookings import chain
from tests.factories import guests_body

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_sandboxes")]


def _status(reference):
    return Booking.objects.get(reference=reference).status


def _wait_status(reference, *statuses, timeout=30):
    chain.wait_for(lambda: _status(reference) in statuses, timeout=timeout)
    return _status(reference)


def _at_supplier(reference) -> dict:
    """The booking as the sandbox supplier holds it (GET /bookings/<supplier_ref>)."""
    from sandboxes.embedded import sandbox_url

    supplier_ref = SupplierHold.objects.get(booking__reference=reference).supplier_ref
    return httpx.get(f"{sandbox_url('suppliers')}/bookings/{supplier_ref}", timeout=5).json()


def _offer(kind, n, *, days_ahead=20, **criteria):
    from suppliers import search_offers

    day = timezone.localdate() + timedelta(days=days_ahead)
    if kind == "hotel":
        criteria = {"destination": "Bali", "check_in": day, "check_out": day + timedelta(days=2), "guests": 2}
    elif kind == "flight":
        criteria = {"origin": "BKK", "destination": "DPS", "date": day, "passengers": 2}
    else:
        criteria = {"city": "Bali", "date": day, "participants": 2}
    return search_offers(kind=kind, **criteria).offers[n]


def _passengers() -> dict:
    body = guests_body(2)
    body["lead"].update(date_of_birth="1990-04-02", document_number="X1234567")
    body["others"] = [{"name": "Ben Traveller", "date_of_birth": "1992-08-15", "document_number": "Y7654321"}]
    return body


def _book_and_pay(api, offer, guests=None, key="trip-1") -> dict:
    lock = api.post("/api/bookings/locks/", {"kind": offer.kind, "offer_id": offer.id, "coin": "BTC"},
                    content_type="application/json")
    assert lock.status_code == 201, lock.content
    placed = api.post("/api/bookings/", {"lock_id": lock.json()["lock_id"], "guests": guests or guests_body(2)},
                      content_type="application/json", headers={"Idempotency-Key": key})
    assert placed.status_code == 201, placed.content
    reference = placed.json()["reference"]
    chain.pay(reference)
    assert _wait_status(reference, "confirmed") == "confirmed", Booking.objects.get(reference=reference).supplier_hold
    return placed.json()


def _refunds(reference):
    from bookings.payments.models import Refund

    return list(Refund.objects.filter(reference=reference).values_list("fiat_amount", flat=True))


# --- flights and activities, lock to confirmed --------------------------------------------------

def test_a_flight_goes_from_lock_to_confirmed_at_the_supplier_with_its_passengers(celery_worker, api, coins):
    offer = _offer("flight", 1)  # this airline asks for every passenger's document
    assert offer.details["document_required"] is True

    placed = _book_and_pay(api, offer, _passengers())

    seen = _at_supplier(placed["reference"])
    assert seen["status"] == "confirmed" and seen["offer_id"] == offer.id
    assert [(p["name"], p["date_of_birth"], p["document_number"]) for p in seen["traveller"]["passengers"]] == [
        ("Ana Traveller", "1990-04-02", "X1234567"), ("Ben Traveller", "1992-08-15", "Y7654321")]
    booking = Booking.objects.get(reference=placed["reference"])
    assert booking.kind == "flight" and booking.check_in.isoformat() == offer.details["depart_at"][:10]
    assert list(booking.events.values_list("action", flat=True)) == [
        "booking.placed", "booking.payment.settled", "booking.supplier.confirmed"]


def test_an_activity_goes_from_lock_to_confirmed_at_the_supplier_with_its_guests(celery_worker, api, coins):
    offer = _offer("activity", 0)

    placed = _book_and_pay(api, offer)

    seen = _at_supplier(placed["reference"])
    assert seen["status"] == "confirmed"
    assert seen["traveller"]["name"] == "Ana Traveller"
    assert seen["traveller"]["guest_names"] == ["Ana Traveller", "Guest 2 Traveller"]
    assert Booking.objects.get(reference=placed["reference"]).check_in.isoformat() == offer.details["date"]


# --- cancellation at the supplier -------------------------------------------------------------

def test_cancelling_within_the_free_period_cancels_at_the_supplier_and_refunds_in_full(celery_worker, api, coins):
    placed = _book_and_pay(api, _offer("activity", 0))  # free cancellation until 1 day before; 20 days ahead
    reference = placed["reference"]
    assert "cancelling now gives a full refund" in api.get(f"/bookings/{reference}/").content.decode()

    response = api.post(f"/api/bookings/{reference}/cancel/", {"method": "credit"}, content_type="application/json")

    # the answer tells the truth: asked of the supplier, not cancelled yet, and what will come back
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "confirmed"
    assert response.json()["cancellation"] == {
        "status": "pending_at_supplier", "requested_at": response.json()["cancellation"]["requested_at"],
        "refund_method": "credit", "expected_refund": placed["total"], "currency": "USD",
        "terms": response.json()["cancellation"]["terms"]}
    assert "full refund" in response.json()["cancellation"]["terms"]
    assert _wait_status(reference, "cancelled", "refunded") in ("cancelled", "refunded")
    assert api.get(f"/api/bookings/{reference}/").json()["cancellation"] is None  # answered: nothing pending
    seen = _at_supplier(reference)
    assert seen["status"] == "cancelled" and seen["cancellation"]["fee"] == "0.00"
    assert _refunds(reference) == [Decimal(placed["total"])]
    assert SupplierHold.objects.get(booking__reference=reference).status == "cancelled"


def test_cancelling_after_the_free_period_keeps_the_suppliers_fee(celery_worker, api, coins):
    offer = _offer("hotel", 0, days_ahead=1)  # free cancellation ended 3 days before check-in
    assert offer.details["late_cancellation_fee_percent"] == 50
    placed = _book_and_pay(api, offer)
    reference = placed["reference"]
    half = (Decimal(placed["total"]) / 2).quantize(Decimal("0.01"), ROUND_DOWN)  # the supplier rounds its fee up
    page = api.get(f"/bookings/{reference}/").content.decode()
    assert f"the supplier keeps a 50% fee, so cancelling now refunds {half} USD" in page  # told before confirming

    api.post(f"/bookings/{reference}/cancel/", {"method": "credit"})

    assert _wait_status(reference, "cancelled", "refunded") in ("cancelled", "refunded")
    seen = _at_supplier(reference)
    assert seen["status"] == "cancelled" and Decimal(seen["cancellation"]["fee"]) == offer.price - half
    assert _refunds(reference) == [half]


def test_a_non_refundable_booking_is_cancelled_at_the_supplier_with_no_refund_as_announced(
        celery_worker, api, coins):
    placed = _book_and_pay(api, _offer("flight", 3), _passengers())
    reference = placed["reference"]
    page = api.get(f"/bookings/{reference}/").content.decode()
    assert "non-refundable" in page and "cancelling gives no refund" in page and 'name="method"' not in page

    api.post(f"/bookings/{reference}/cancel/", {})

    assert _wait_status(reference, "cancelled") == "cancelled"
    assert _at_supplier(reference)["status"] == "cancelled" and _refunds(reference) == []


def test_a_supplier_down_during_cancellation_is_retried_and_nothing_is_refunded_twice(
        celery_worker, api, coins, supplier_app):
    placed = _book_and_pay(api, _offer("hotel", 1))
    reference = placed["reference"]
    supplier_app.behaviour.down = True  # the supplier is down when the traveller cancels

    response = api.post(f"/bookings/{reference}/cancel/", {"method": "credit"}, follow=True)

    assert response.status_code == 200 and "Cancellation pending" in response.content.decode()
    hold = chain.wait_for(lambda: SupplierHold.objects.filter(booking__reference=reference).exclude(last_error="").first())
    assert hold and hold.status == "cancelling" and "503" in hold.last_error  # tried, failed, will retry
    assert _status(reference) == "confirmed" and _refunds(reference) == []
    supplier_app.behaviour.down = False  # it comes back before the retries run out

    assert _wait_status(reference, "cancelled", "refunded") in ("cancelled", "refunded")
    assert _at_supplier(reference)["status"] == "cancelled"
    assert booking_supplier_cancel(reference=reference) == "nothing to do"  # a late duplicate of the task
    assert _refunds(reference) == [Decimal(placed["total"])]
    actions = list(Booking.objects.get(reference=reference).events.values_list("action", flat=True))
    assert actions.count("booking.supplier.cancelled") == 1 and actions.count("booking.cancelled") == 1


def test_while_the_supplier_has_not_answered_the_booking_says_its_cancellation_is_pending(
        celery_worker, api, coins, supplier_app):
    offer = _offer("hotel", 0, days_ahead=1)  # past the free period: the supplier keeps 50%
    placed = _book_and_pay(api, offer)
    reference = placed["reference"]
    half = (Decimal(placed["total"]) / 2).quantize(Decimal("0.01"), ROUND_DOWN)
    supplier_app.behaviour.down = True

    response = api.post(f"/api/bookings/{reference}/cancel/", {"method": "crypto"}, content_type="application/json")

    assert response.status_code == 202, response.content
    pending = api.get(f"/api/bookings/{reference}/").json()
    assert pending["status"] == "confirmed" and pending["cancellation"]["status"] == "pending_at_supplier"
    assert (pending["cancellation"]["expected_refund"], pending["cancellation"]["refund_method"]) == (
        f"{half}", "crypto")
    assert "the supplier keeps a 50% fee" in pending["cancellation"]["terms"]
    listed = api.get("/api/bookings/").json()["bookings"]
    assert [b["cancellation"]["status"] for b in listed if b["reference"] == reference] == ["pending_at_supplier"]
    supplier_app.behaviour.down = False

    assert _wait_status(reference, "cancelled", "refunded") in ("cancelled", "refunded")
    assert api.get(f"/api/bookings/{reference}/").json()["cancellation"] is None


# --- staff "cancel and refund" from the review queue ----------------------------------------------

def _admin_cancel_refund(client, item, note=""):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client.post(f"/admin/bookings/reviewitem/{item.pk}/change/",
                       {"_review_action": "cancel_refund", "review_note": note, "refund_method": "crypto"},
                       follow=True)


def test_staff_cancel_and_refund_cancels_at_the_supplier_and_refunds_in_full_absorbing_the_fee(
        celery_worker, api, client, coins, supplier_app):
    from bookings.models import ReviewItem
    from bookings.services.review import review_open

    offer = _offer("hotel", 0, days_ahead=1)  # past the free period: the supplier keeps 50% of its price
    placed = _book_and_pay(api, offer, key="staff-1")
    reference = placed["reference"]
    booking = Booking.objects.get(reference=reference)
    item = review_open(booking=booking, reason=ReviewItem.Reason.OTHER, detail="The guest called: cancel it.")
    supplier_app.behaviour.down = True  # the supplier does not answer at once

    page = _admin_cancel_refund(client, item, note="Guest called")

    # the item says the cancellation is pending; the booking is still confirmed, nothing refunded
    assert "Cancellation pending at the supplier" in page.content.decode()
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.OPEN and "Cancellation pending at the supplier" in item.note
    assert _status(reference) == "confirmed" and _refunds(reference) == []
    assert SupplierHold.objects.get(booking=booking).status == "cancelling"
    supplier_app.behaviour.down = False

    # once the supplier answers: cancelled there, refunded in full, the fee recorded as the platform's
    assert _wait_status(reference, "cancelled", "refunded") in ("cancelled", "refunded")
    seen = _at_supplier(reference)
    assert seen["status"] == "cancelled" and Decimal(seen["cancellation"]["fee"]) > 0
    assert _refunds(reference) == [Decimal(placed["total"])]
    cancelled = booking.events.get(action="booking.cancelled")
    assert cancelled.actor.is_superuser and cancelled.data["fee_absorbed_by_platform"] == seen["cancellation"]["fee"]
    assert "the platform absorbs the supplier's" in cancelled.data["terms"]
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.RESOLVED and "refunded" in item.note and item.resolved_by is not None


def test_staff_cancel_of_a_supplier_booking_not_yet_confirmed_there_cancels_at_once(
        celery_worker, client, traveller, coins, supplier_app):
    from bookings.models import ReviewItem
    from bookings.services.review import review_open
    from tests.bookings.conftest import supplier_booking

    booking = supplier_booking(user=traveller, offer=_offer("hotel", 0))  # paid, the supplier not asked yet
    item = review_open(booking=booking, reason=ReviewItem.Reason.SUPPLIER_UNAVAILABLE, detail="down")

    _admin_cancel_refund(client, item)

    assert _status(booking.reference) == "cancelled"
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.RESOLVED
    assert not booking.events.filter(action="booking.supplier.cancel_requested").exists()


def test_a_partner_hotel_paid_entirely_with_credit_is_confirmed_at_the_supplier_without_an_invoice(
        celery_worker, api, traveller, coins):
    from bookings.payments.models import Invoice
    from bookings.payments.selectors import credit_balance_of
    from tests.bookings.test_credit import give_credit

    offer = _offer("hotel", 0)
    give_credit(traveller, f"{offer.price}")
    lock = api.post("/api/bookings/locks/", {"kind": "hotel", "offer_id": offer.id, "coin": "BTC",
                                             "credit": f"{offer.price}"}, content_type="application/json")
    assert lock.status_code == 201 and lock.json()["total"] == "0.00", lock.content

    placed = api.post("/api/bookings/", {"lock_id": lock.json()["lock_id"], "guests": guests_body(2)},
                      content_type="application/json", headers={"Idempotency-Key": "credit-hotel"})

    assert placed.status_code == 201 and placed.json()["status"] == "payment_confirmed", placed.content
    reference = placed.json()["reference"]
    assert _wait_status(reference, "confirmed") == "confirmed"  # the worker asked the supplier, as after a payment
    assert _at_supplier(reference)["status"] == "confirmed"
    assert not Invoice.objects.filter(reference=reference).exists()

    # cancelled in the free period: the supplier cancels, and the credit comes back
    response = api.post(f"/api/bookings/{reference}/cancel/", {"method": "crypto"}, content_type="application/json")
    assert response.status_code == 202 and response.json()["cancellation"]["refund_method"] == "credit"
    assert _wait_status(reference, "cancelled") == "cancelled"
    assert chain.wait_for(lambda: credit_balance_of(user=traveller, currency="USD") == offer.price)
    assert _refunds(reference) == []
