"""Hotel staff mark a confirmed booking as a no-show: from the check-in day on the hotel's
calendar, own hotels only, once; the nights stay taken and no points vest."""
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction

from bookings import events
from bookings.errors import NoShowRefused
from bookings.models import Booking
from bookings.services.lifecycle import booking_mark_no_show, bookings_complete_stays
from core.models import OutboxMessage
from inventory.models import Hold, RoomNight
from rewards.models import Entry
from rewards.selectors import balance_of
from tests.bookings.conftest import confirmed_stay, stay_booking, supplier_booking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Check-in 9 March 2026: it begins in Bangkok (UTC+7) at 17:00 UTC on the 8th.
BEFORE_BANGKOK_CHECK_IN = datetime(2026, 3, 8, 16, 59, tzinfo=UTC)
BANGKOK_CHECK_IN_DAY = datetime(2026, 3, 8, 17, 0, tzinfo=UTC)


def hotel_staff(booking, username="front-desk"):
    user = UserFactory(username=username, is_staff=True)
    booking.property.staff.add(user)
    return user


def _available(booking):
    return list(RoomNight.objects.filter(room_type=booking.room_type, date__gte=booking.check_in,
                                         date__lt=booking.check_out).values_list("available", flat=True))


def _topics(reference):
    return list(OutboxMessage.objects.filter(key=reference).order_by("pk").values_list("topic", flat=True))


def test_staff_mark_a_no_show_from_the_check_in_day_on_the_hotels_calendar(traveller, coins):
    booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    staff = hotel_staff(booking)
    nights = _available(booking)

    with time_machine.travel(BEFORE_BANGKOK_CHECK_IN, tick=False):
        with pytest.raises(NoShowRefused, match="Check-in is on 09 Mar 2026 at the hotel"):
            booking_mark_no_show(booking=booking, by=staff)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        booking_mark_no_show(booking=booking, by=staff)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    event = booking.events.get(action="booking.no_show")
    assert (event.status_from, event.status_to, event.actor, event.actor_label) == (
        "confirmed", "no_show", staff, "staff")
    assert event.data["marked_by"] == "front-desk" and event.data["hotel_today"] == "2026-03-09"
    # the room was kept for the guest: the nights stay taken
    assert _available(booking) == nights
    assert booking.hold.status != Hold.Status.RELEASED
    assert _topics(booking.reference)[-1] == "booking.no_show"
    payload = OutboxMessage.objects.get(key=booking.reference, topic="booking.no_show").payload
    assert payload == {"reference": booking.reference, "user_id": traveller.pk, "kind": "stay",
                       "property_id": booking.property_id, "total": "230.00", "currency": "USD",
                       "points_redeemed": 0, "check_in": "2026-03-09", "check_out": "2026-03-11"}


def test_the_check_in_day_is_the_hotels_not_utc(traveller, coins):
    # 17:00 UTC on 8 March is already the 9th in Bangkok but still the 8th in Los Angeles
    los_angeles = confirmed_stay(user=traveller, zone="America/Los_Angeles", days_ahead=1, nights=2)
    staff = hotel_staff(los_angeles)

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        with pytest.raises(NoShowRefused, match="Check-in is on 09 Mar 2026"):
            booking_mark_no_show(booking=los_angeles, by=staff)
    with time_machine.travel(datetime(2026, 3, 9, 7, 0, tzinfo=UTC), tick=False):  # midnight in LA (PDT)
        booking_mark_no_show(booking=los_angeles, by=staff)

    los_angeles.refresh_from_db()
    assert los_angeles.status == Booking.Status.NO_SHOW


def test_marking_twice_is_refused_and_changes_nothing(traveller, coins):
    booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    staff = hotel_staff(booking)

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        booking_mark_no_show(booking=booking, by=staff)
        with pytest.raises(NoShowRefused, match="already marked as a no-show"):
            booking_mark_no_show(booking=booking, by=staff)

    assert booking.events.filter(action="booking.no_show").count() == 1
    assert _topics(booking.reference).count("booking.no_show") == 1


def test_only_confirmed_bookings_can_be_marked(traveller, room):
    pending = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1], days_ahead=0)
    staff = hotel_staff(pending)

    with pytest.raises(NoShowRefused, match="Only confirmed bookings can be marked as a no-show"):
        booking_mark_no_show(booking=pending, by=staff)

    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING
    assert "booking.no_show" not in _topics(pending.reference)


def test_supplier_bookings_are_refused(traveller, coins):
    offer = SimpleNamespace(kind="hotel", title="Supplier hotel", price=Decimal("120.00"), currency="USD",
                            id="offer-1", supplier="sandbox", details={})
    booking = supplier_booking(user=traveller, offer=offer)
    with transaction.atomic():
        events.transition(booking=booking, to=Booking.Status.CONFIRMED, action="booking.supplier.confirmed")
    admin = UserFactory(username="platform", is_staff=True, is_superuser=True)

    with pytest.raises(NoShowRefused, match="Only bookings at our own hotels"):
        booking_mark_no_show(booking=booking, by=admin)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_staff_of_another_hotel_are_refused(traveller, coins):
    booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    elsewhere = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    other_staff = hotel_staff(elsewhere, username="other-desk")

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        with pytest.raises(NoShowRefused, match="Only the staff of"):
            booking_mark_no_show(booking=booking, by=other_staff)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_no_show_is_never_completed(traveller, coins):
    booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        booking_mark_no_show(booking=booking, by=hotel_staff(booking))

    assert bookings_complete_stays(now=datetime(2026, 4, 1, tzinfo=UTC)) == 0

    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert "stay.completed" not in _topics(booking.reference)


def test_a_no_show_forfeits_the_pending_points_through_the_outbox(traveller, coins, eager_tasks,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    earned = balance_of(user=traveller).pending
    assert earned > 0

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            booking_mark_no_show(booking=booking, by=hotel_staff(booking))
    with django_capture_on_commit_callbacks(execute=True):
        bookings_complete_stays(now=datetime(2026, 4, 1, tzinfo=UTC))

    assert (balance_of(user=traveller).available, balance_of(user=traveller).pending) == (0, 0)
    forfeit = Entry.objects.get(booking_reference=booking.reference, kind=Entry.Kind.FORFEIT)
    assert forfeit.pending_delta == -earned and "no-show" in forfeit.note
    message = OutboxMessage.objects.get(key=booking.reference, topic="booking.no_show")
    assert message.published_at is not None and not message.last_error


def test_the_traveller_sees_no_show_on_their_booking_page(client, traveller, coins):
    booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        booking_mark_no_show(booking=booking, by=hotel_staff(booking))
    client.force_login(traveller)

    page = client.get(f"/bookings/{booking.reference}/").content.decode()

    assert 'id="booking-status">No-show</span>' in page
    assert "did not arrive for this stay" in page
    assert "Cancel this booking" not in page
