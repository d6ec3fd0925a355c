"""Confirming paid supplier bookings with the sandbox supplier over HTTP."""

import pytest

from bookings.models import Booking, ReviewItem, SupplierHold
from bookings.services.supplier import (
    SupplierStillPending,
    booking_supplier_confirm,
    supplier_confirmation_gave_up,
)
from core.models import OutboxMessage
from suppliers.errors import SupplierUnavailable
from tests.bookings.conftest import supplier_booking
from tests.fixtures.worker import wait_for
from tests.suppliers.helpers import configure

pytestmark = pytest.mark.django_db


def test_supplier_confirms_at_once(traveller, hotel_offer):
    booking = supplier_booking(user=traveller, offer=hotel_offer)
    assert booking_supplier_confirm(reference=booking.reference) == "confirmed"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.supplier_hold.status == SupplierHold.Status.CONFIRMED
    assert booking.supplier_hold.supplier_ref.startswith("SB-")
    payload = OutboxMessage.objects.get(key=booking.reference, topic="booking.confirmed").payload
    assert payload["kind"] == "hotel" and payload["property_id"] is None
    assert booking_supplier_confirm(reference=booking.reference) == "nothing to do"


def test_a_slow_supplier_answers_pending_then_confirmed_on_a_later_try(traveller, hotel_offer, suppliers_sandbox):
    configure(suppliers_sandbox, extra={"book_latency_ms": 300})
    booking = supplier_booking(user=traveller, offer=hotel_offer)
    with pytest.raises(SupplierStillPending):
        booking_supplier_confirm(reference=booking.reference)
    hold = SupplierHold.objects.get(booking=booking)
    assert hold.status == SupplierHold.Status.PENDING and hold.supplier_ref

    def confirmed_on_a_later_try():  # the sandbox confirms 0.3 s after the booking
        try:
            return booking_supplier_confirm(reference=booking.reference)
        except SupplierStillPending:
            return None

    assert wait_for(confirmed_on_a_later_try, timeout=10, every=0.1) == "confirmed"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert list(booking.events.filter(action__startswith="booking.supplier").values_list("action", flat=True)) == [
        "booking.supplier.pending", "booking.supplier.confirmed"]


def test_supplier_down_raises_for_a_retry_and_gives_up_into_review(traveller, hotel_offer, suppliers_sandbox):
    configure(suppliers_sandbox, down=True)
    booking = supplier_booking(user=traveller, offer=hotel_offer)
    with pytest.raises(SupplierUnavailable):
        booking_supplier_confirm(reference=booking.reference)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAYMENT_CONFIRMED
    assert SupplierHold.objects.get(booking=booking).attempts == 1
    supplier_confirmation_gave_up(reference=booking.reference, error="SupplierUnavailable('down')")
    item = ReviewItem.objects.get(booking=booking)
    assert item.reason == ReviewItem.Reason.SUPPLIER_UNAVAILABLE and item.status == ReviewItem.Status.OPEN


def test_supplier_refusal_goes_to_review(traveller, hotel_offer, suppliers_sandbox):
    configure(suppliers_sandbox, extra={"refuse_booking": True})
    booking = supplier_booking(user=traveller, offer=hotel_offer)
    assert booking_supplier_confirm(reference=booking.reference) == "refused: review"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAYMENT_CONFIRMED
    assert booking.supplier_hold.status == SupplierHold.Status.REFUSED
    assert ReviewItem.objects.get(booking=booking).reason == ReviewItem.Reason.SUPPLIER_REFUSED
