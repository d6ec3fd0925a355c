"""What happens to a placed booking: payment news, expiry sweeps, completion, cancellation."""
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from bookings.models import Booking, ReviewItem
from bookings.services.lifecycle import (
    booking_cancel,
    booking_on_payment,
    bookings_complete_stays,
    bookings_expire_unpaid,
)
from core.models import OutboxMessage
from inventory.models import Hold, RoomNight
from tests.bookings.conftest import stay_booking

pytestmark = pytest.mark.django_db


def _available(booking):
    return list(RoomNight.objects.filter(room_type=booking.room_type, date__gte=booking.check_in,
                                         date__lt=booking.check_out).values_list("available", flat=True))


def _topics(reference):
    return list(OutboxMessage.objects.filter(key=reference).order_by("pk").values_list("topic", flat=True))


def test_settled_payment_confirms_an_own_inventory_booking_once(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    payload = {"reference": booking.reference, "invoice_id": 7, "status": "settled"}

    assert booking_on_payment(topic="payment.settled", payload=payload, message_id=11) == "confirmed"
    assert booking_on_payment(topic="payment.settled", payload=payload, message_id=11) == "duplicate"
    assert booking_on_payment(topic="payment.settled", payload=payload, message_id=12) == "already paid"

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    actions = list(booking.events.values_list("action", flat=True))
    assert actions[:3] == ["booking.placed", "booking.payment.settled", "booking.confirmed"]
    assert _topics(booking.reference) == ["booking.placed", "task:bookings.send_email", "booking.confirmed"]
    confirmed = OutboxMessage.objects.get(key=booking.reference, topic="booking.confirmed").payload
    assert confirmed == {"reference": booking.reference, "user_id": traveller.pk, "kind": "stay",
                         "property_id": booking.property_id, "total": "230.00", "currency": "USD",
                         "check_in": booking.check_in.isoformat(), "check_out": booking.check_out.isoformat()}


def test_overpaid_confirms_like_settled(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    booking_on_payment(topic="payment.overpaid", payload={"reference": booking.reference, "excess": "0.001"},
                       message_id=1)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.events.filter(action="booking.payment.overpaid", data__excess="0.001").exists()


def test_partial_payment_keeps_the_booking_pending(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    booking_on_payment(topic="payment.partial", payload={"reference": booking.reference, "amount_paid": "0.002"},
                       message_id=1)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=2)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_expired_payment_releases_the_nights_and_returns_redemptions(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1], rooms=2)
    assert _available(booking) == [3, 3]
    booking_on_payment(topic="payment.expired", payload={"reference": booking.reference, "amount_paid": "0"},
                       message_id=1)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert _available(booking) == [5, 5]
    assert booking.hold.status == Hold.Status.RELEASED
    assert _topics(booking.reference) == ["booking.placed", "booking.expired"]
    assert not ReviewItem.objects.filter(booking=booking).exists()


def test_partially_paid_then_expired_releases_nights_and_goes_to_review_with_an_email(
    traveller, room, eager_tasks, django_capture_on_commit_callbacks
):
    staff = room[0].property.staff.create(username="hotel-staff", email="staff@hotel.example", is_staff=True)
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    with django_capture_on_commit_callbacks(execute=True):
        booking_on_payment(topic="payment.expired", payload={"reference": booking.reference, "amount_paid": "0.001"},
                           message_id=1)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert _available(booking) == [5, 5]
    item = ReviewItem.objects.get(booking=booking)
    assert item.reason == ReviewItem.Reason.PARTIAL_PAYMENT
    # staff are asked to look, and the traveller is told the booking expired
    assert sorted(m.to for m in mail.outbox) == [[staff.email], [traveller.email]]
    assert all(booking.reference in m.subject for m in mail.outbox)


def test_late_payment_goes_to_review(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    booking_on_payment(topic="payment.expired", payload={"reference": booking.reference}, message_id=1)
    booking_on_payment(topic="payment.late", payload={"reference": booking.reference, "amount_paid": "0.0046"},
                       message_id=2)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert ReviewItem.objects.get(booking=booking).reason == ReviewItem.Reason.LATE_PAYMENT
    assert booking.events.filter(action="booking.review.opened").count() == 1


def test_payment_for_an_unknown_reference_changes_nothing(db):
    assert booking_on_payment(topic="payment.settled", payload={"reference": "NOPE"}, message_id=1) == "unknown booking"


def test_sweep_expires_unpaid_holds_after_the_window_by_the_clock(traveller, room):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
        assert bookings_expire_unpaid() == 0
        clock.shift(timedelta(minutes=18))
        assert bookings_expire_unpaid() == 1
        assert bookings_expire_unpaid() == 0
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert _available(booking) == [5, 5]


def test_stays_are_completed_after_check_out(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1], days_ahead=1, nights=1)
    booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=1)
    assert bookings_complete_stays() == 0
    assert bookings_complete_stays(now=timezone.now() + timedelta(days=3)) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    done = OutboxMessage.objects.get(key=booking.reference, topic="stay.completed").payload
    assert done == {"reference": booking.reference, "user_id": traveller.pk, "total": "230.00", "currency": "USD",
                    "check_out": booking.check_out.isoformat()}


def test_cancelling_an_unpaid_booking_releases_nights_without_refund(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    booking_cancel(reference=booking.reference, user=traveller)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert _available(booking) == [5, 5]
    cancelled = OutboxMessage.objects.get(key=booking.reference, topic="booking.cancelled").payload
    assert cancelled == {"reference": booking.reference, "user_id": traveller.pk, "refund_method": "none"}


def test_cancelling_a_non_refundable_paid_booking_gives_no_refund(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[2])
    booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=1)
    booking_cancel(reference=booking.reference, user=traveller)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.events.get(action="booking.cancelled").data["refund_method"] == "none"


def test_nobody_else_can_cancel_a_booking(traveller, room):
    from django.core.exceptions import ValidationError

    from tests.factories import UserFactory

    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    with pytest.raises(Booking.DoesNotExist):
        booking_cancel(reference=booking.reference, user=UserFactory())
    booking_cancel(reference=booking.reference, user=traveller)
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        booking_cancel(reference=booking.reference, user=traveller)
