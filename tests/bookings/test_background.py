"""The booking's background life with a real Celery worker on RabbitMQ, PostgreSQL and Redis:
payments' topics move it, the supplier is confirmed with retries, failures land in review."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Booking, ReviewItem
from core.models import FailedTask
from inventory.models import RoomNight
from tests.bookings import chain
from tests.factories import UserFactory, guests_body

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_sandboxes")]


def _status(reference):
    return Booking.objects.get(reference=reference).status


def _wait_status(reference, *statuses, timeout=30):
    chain.wait_for(lambda: _status(reference) in statuses, timeout=timeout)
    return _status(reference)


def _place_offer(api, supplier_app):
    from suppliers import search_offers

    check_in = timezone.localdate() + timedelta(days=20)
    offer = search_offers(kind="hotel", destination="Bali", check_in=check_in,
                          check_out=check_in + timedelta(days=2), guests=2, rooms=1).offers[0]
    lock = api.post("/api/bookings/locks/", {"kind": "hotel", "offer_id": offer.id, "coin": "BTC"},
                    content_type="application/json")
    assert lock.status_code == 201, lock.content
    placed = api.post("/api/bookings/", {"lock_id": lock.json()["lock_id"], "guests": guests_body()}, content_type="application/json",
                      headers={"Idempotency-Key": "offer-1"})
    assert placed.status_code == 201, placed.content
    return placed.json()


def _place_stay(api, room, key="stay-1"):
    check_in = timezone.localdate() + timedelta(days=10)
    lock = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 2, "guests": 2, "coin": "BTC",
    }, content_type="application/json")
    assert lock.status_code == 201, lock.content
    placed = api.post("/api/bookings/", {"lock_id": lock.json()["lock_id"], "guests": guests_body()}, content_type="application/json",
                      headers={"Idempotency-Key": key})
    assert placed.status_code == 201, placed.content
    return placed.json()


def test_a_3s_supplier_booking_is_pending_at_once_and_confirmed_after_payment(celery_worker, api, coins, supplier_app):
    # given a supplier that takes 3 s to confirm a booking
    supplier_app.behaviour.extra = {"book_latency_ms": 3000}
    # when the traveller books
    placed = _place_offer(api, supplier_app)
    # then the answer is at once: pending, with what to pay and where to watch it; the worker
    # creates the invoice at the processor, and the payment page shows its address
    assert placed["status"] == "pending" and placed["payment"]["pay_url"] and placed["payment"]["amount"]
    assert chain.submitted(placed["reference"]).address
    # and once the payment settles, the worker confirms with the supplier (retrying while it is pending)
    chain.pay(placed["reference"])
    assert _wait_status(placed["reference"], "confirmed", timeout=40) == "confirmed"
    actions = list(Booking.objects.get(reference=placed["reference"]).events.values_list("action", flat=True))
    assert actions == ["booking.placed", "booking.payment.settled", "booking.supplier.pending",
                       "booking.supplier.confirmed"]


def test_supplier_down_retries_then_review_and_staff_retry_succeeds(celery_worker, api, coins, supplier_app):
    admin = UserFactory(username="ops", email="ops@example.com", is_staff=True, is_superuser=True)
    placed = _place_offer(api, supplier_app)
    reference = placed["reference"]
    supplier_app.behaviour.down = True
    chain.pay(reference)

    # the worker retries with backoff, then the booking lands in review (and the dead letter is recorded)
    item = chain.wait_for(lambda: ReviewItem.objects.filter(booking__reference=reference).first(), timeout=40)
    assert item and item.reason == ReviewItem.Reason.SUPPLIER_UNAVAILABLE
    booking = Booking.objects.get(reference=reference)
    assert booking.status == Booking.Status.PAYMENT_CONFIRMED
    assert booking.supplier_hold.attempts == 5
    assert FailedTask.objects.filter(task_name="suppliers.bookings_confirm").exists()

    # the supplier comes back; staff press retry in the admin
    supplier_app.behaviour.down = False
    staff = Client()
    staff.force_login(admin)
    staff.post(f"/admin/bookings/reviewitem/{item.pk}/change/", {"_review_action": "retry", "review_note": "back"})
    assert _wait_status(reference, "confirmed") == "confirmed"
    assert booking.events.filter(action="booking.review.retried", actor=admin).exists()


def _nights(room):
    start = timezone.localdate() + timedelta(days=10)
    return list(RoomNight.objects.filter(room_type=room[0], date__gte=start, date__lt=start + timedelta(days=2))
                .values_list("available", flat=True))


@pytest.mark.parametrize("path", ["exact", "partial_topped_up", "partial_expired", "overpaid", "late"])
def test_payment_paths_as_seen_by_the_booking(celery_worker, api, room, path):
    placed = _place_stay(api, room)
    reference = placed["reference"]
    due = chain.invoice_of(reference).amount_due
    assert _nights(room) == [3, 3]

    if path == "exact":
        chain.pay(reference)
        assert _wait_status(reference, "confirmed") == "confirmed"
    elif path == "partial_topped_up":
        half = (due / 2).quantize(Decimal("0.00000001"))
        chain.pay(reference, half)
        chain.wait_for(lambda: Booking.objects.get(reference=reference).events.filter(
            action="booking.payment.partial").exists())
        assert _status(reference) == "pending"
        chain.pay(reference, due - half)
        assert _wait_status(reference, "confirmed") == "confirmed"
    elif path == "partial_expired":
        chain.pay(reference, (due / 2).quantize(Decimal("0.00000001")))
        chain.expire(reference)
        assert _wait_status(reference, "expired") == "expired"
        item = chain.wait_for(lambda: ReviewItem.objects.filter(booking__reference=reference).first())
        assert item.reason == ReviewItem.Reason.PARTIAL_PAYMENT
        assert _nights(room) == [5, 5]
    elif path == "overpaid":
        chain.pay(reference, due * Decimal("1.1"))
        assert _wait_status(reference, "confirmed") == "confirmed"
        assert chain.wait_for(lambda: Booking.objects.get(reference=reference).events.filter(
            action="booking.payment.overpaid").exists())
    elif path == "late":
        chain.expire(reference)
        assert _wait_status(reference, "expired") == "expired"
        assert _nights(room) == [5, 5]
        chain.pay(reference)
        item = chain.wait_for(lambda: ReviewItem.objects.filter(booking__reference=reference).first())
        assert item.reason == ReviewItem.Reason.LATE_PAYMENT
        assert _status(reference) == "expired"


def test_cancelling_a_paid_refundable_stay_refunds_it_as_credit(celery_worker, api, room):
    placed = _place_stay(api, room)
    reference = placed["reference"]
    chain.pay(reference)
    assert _wait_status(reference, "confirmed") == "confirmed"

    response = api.post(f"/api/bookings/{reference}/cancel/", {"method": "credit"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert _nights(room) == [5, 5]
    # payments records the credit at once and says so (payment.refunded): the booking ends refunded
    assert _wait_status(reference, "refunded") == "refunded"
    from bookings.payments.models import Refund

    refund = Refund.objects.get(reference=reference)
    assert refund.method == "credit" and refund.fiat_amount == Decimal(placed["total"])


def test_staff_cancel_and_refund_gives_back_what_a_partial_payment_sent(celery_worker, api, room):
    admin = UserFactory(username="ops2", email="ops2@example.com", is_staff=True, is_superuser=True)
    placed = _place_stay(api, room)
    reference = placed["reference"]
    due = chain.invoice_of(reference).amount_due
    half = (due / 2).quantize(Decimal("0.00000001"))
    chain.pay(reference, half)
    chain.expire(reference)
    item = chain.wait_for(lambda: ReviewItem.objects.filter(booking__reference=reference).first())
    assert item and item.reason == ReviewItem.Reason.PARTIAL_PAYMENT

    staff = Client()
    staff.force_login(admin)
    staff.post(f"/admin/bookings/reviewitem/{item.pk}/change/",
               {"_review_action": "cancel_refund", "refund_method": "credit", "review_note": "Half paid, credited."})
    assert _wait_status(reference, "refunded") == "refunded"
    from bookings.payments.models import Refund

    invoice = chain.invoice_of(reference)
    refund = Refund.objects.get(reference=reference)
    assert refund.fiat_amount == (half * invoice.rate).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.RESOLVED and item.note == "Half paid, credited."
    assert Booking.objects.get(reference=reference).events.filter(action="booking.refund.requested",
                                                                  actor=admin).exists()
