"""Cancelling confirmed supplier bookings: the terms the traveller is told, a pending cancellation,
a supplier that refuses, and giving up after the retries (the service, against the sandbox over HTTP)."""
from datetime import date
from decimal import ROUND_DOWN, Decimal

import httpx
import pytest

from bookings.errors import NotCancellable
from bookings.models import Booking, ReviewItem, SupplierHold
from bookings.services.lifecycle import booking_cancel, cancellation_terms
from bookings.services.supplier import booking_supplier_confirm
from bookings.services.supplier_cancel import (
    booking_supplier_cancel,
    supplier_cancellation_gave_up,
    supplier_cancellation_terms,
)
from core.models import OutboxMessage
from suppliers.errors import SupplierUnavailable
from tests.bookings.conftest import supplier_booking
from tests.suppliers.helpers import configure, hotel_criteria

pytestmark = pytest.mark.django_db


def _confirmed(traveller, *, n=0, days_ahead=20):
    """A confirmed partner-hotel booking placed the way placing sets its terms (from the offer)."""
    from suppliers import search_offers

    offer = search_offers(kind="hotel", **hotel_criteria(days_ahead=days_ahead)).offers[n]
    booking = supplier_booking(user=traveller, offer=offer)
    booking.check_in = date.fromisoformat(offer.details["check_in"])
    booking.refundable = offer.details["refundable"]
    booking.free_cancellation_days = offer.details["free_cancellation_days"]
    booking.save()
    assert booking_supplier_confirm(reference=booking.reference) == "confirmed"
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize("n, days_ahead, refund, text", [
    (0, 20, "full", "Free cancellation until"),
    (0, 1, "half", "the supplier keeps a 50% fee, so cancelling now refunds"),
    (4, 1, "none", "the supplier keeps the whole price, so cancelling now gives no refund"),
    (3, 20, "none", "non-refundable: the supplier gives nothing back"),
])
def test_the_traveller_is_told_the_suppliers_terms_before_cancelling(
        traveller, suppliers_sandbox, n, days_ahead, refund, text):
    booking = _confirmed(traveller, n=n, days_ahead=days_ahead)

    terms = supplier_cancellation_terms(booking)

    expected = {"full": booking.total, "half": (booking.total / 2).quantize(Decimal("0.01"), ROUND_DOWN), "none": 0}[refund]
    assert terms.refund_amount == expected and text in terms.text
    assert cancellation_terms(booking) == (expected > 0, terms.text)  # what the booking page shows


def test_cancelling_asks_the_supplier_once_and_shows_it_pending(traveller, suppliers_sandbox):
    booking = _confirmed(traveller)

    booking_cancel(reference=booking.reference, user=traveller, method="credit")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.supplier_hold.status == SupplierHold.Status.CANCELLING
    assert OutboxMessage.objects.filter(key=booking.reference, topic="task:suppliers.bookings_cancel").count() == 1
    with pytest.raises(NotCancellable, match="already pending"):
        booking_cancel(reference=booking.reference, user=traveller)
    assert OutboxMessage.objects.filter(key=booking.reference, topic="task:suppliers.bookings_cancel").count() == 1


def test_a_supplier_that_refuses_to_cancel_leaves_the_booking_confirmed_for_staff(traveller, suppliers_sandbox):
    booking = _confirmed(traveller)
    booking_cancel(reference=booking.reference, user=traveller)
    configure(suppliers_sandbox, extra={"refuse_cancel": True})

    assert booking_supplier_cancel(reference=booking.reference) == "cancel refused: review"

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.supplier_hold.status == SupplierHold.Status.CONFIRMED
    assert ReviewItem.objects.get(booking=booking).reason == ReviewItem.Reason.SUPPLIER_REFUSED
    seen = httpx.get(f"{suppliers_sandbox.url}/bookings/{booking.supplier_hold.supplier_ref}").json()
    assert seen["status"] == "confirmed"


def test_a_supplier_down_raises_for_a_retry_and_after_the_last_one_staff_get_a_dead_letter(
        traveller, suppliers_sandbox):
    booking = _confirmed(traveller)
    booking_cancel(reference=booking.reference, user=traveller)
    configure(suppliers_sandbox, down=True)

    with pytest.raises(SupplierUnavailable):
        booking_supplier_cancel(reference=booking.reference)
    supplier_cancellation_gave_up(reference=booking.reference, error="SupplierUnavailable('down')")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.supplier_hold.status == SupplierHold.Status.CANCELLING  # still "cancellation pending"
    item = ReviewItem.objects.get(booking=booking)
    assert item.reason == ReviewItem.Reason.DEAD_LETTER and "cancel" in item.detail


def test_the_booking_page_says_cancellation_pending(client, traveller, suppliers_sandbox):
    booking = _confirmed(traveller)
    client.force_login(traveller)
    page = client.get(f"/bookings/{booking.reference}/").content.decode()
    assert "Free cancellation until 3 day(s) before, then a 50% fee" in page and "Cancellation pending" not in page

    response = client.post(f"/bookings/{booking.reference}/cancel/", {"method": "crypto"}, follow=True)

    page = response.content.decode()
    assert "Cancellation pending" in page and "asked the supplier to cancel" in page
    assert "Cancel this booking" not in page


def test_staff_ask_again_for_a_cancellation_whose_task_gave_up_and_the_item_waits_for_the_answer(
        traveller, suppliers_sandbox):
    from bookings.services.review import review_cancel_refund
    from tests.factories import UserFactory

    booking = _confirmed(traveller, days_ahead=1)  # past the free period: the supplier keeps a fee
    booking_cancel(reference=booking.reference, user=traveller)
    configure(suppliers_sandbox, down=True)
    with pytest.raises(SupplierUnavailable):
        booking_supplier_cancel(reference=booking.reference)
    supplier_cancellation_gave_up(reference=booking.reference, error="SupplierUnavailable('down')")
    item = ReviewItem.objects.get(booking=booking, reason=ReviewItem.Reason.DEAD_LETTER)
    configure(suppliers_sandbox, down=False)
    staff = UserFactory(username="ops", is_staff=True, is_superuser=True)

    item = review_cancel_refund(item=item, staff=staff, method="credit", note="Guest insists.")

    assert item.status == ReviewItem.Status.OPEN and item.note.startswith("Cancellation pending at the supplier (asked by ops)")
    assert OutboxMessage.objects.filter(key=booking.reference, topic="task:suppliers.bookings_cancel").count() == 2
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    assert booking_supplier_cancel(reference=booking.reference) == "cancelled"

    booking.refresh_from_db()
    item.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.supplier_hold.status == SupplierHold.Status.CANCELLED
    assert item.status == ReviewItem.Status.RESOLVED and item.resolved_by == staff
    assert "the platform absorbs the supplier's" in item.note
    cancelled = booking.events.get(action="booking.cancelled")
    assert cancelled.actor == staff and "fee_absorbed_by_platform" in cancelled.data
