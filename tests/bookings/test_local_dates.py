"""Dates are the hotel's: a stay completes, and free cancellation ends, at the hotel's midnight."""
from datetime import UTC, date, datetime

import pytest
import time_machine

from bookings.models import Booking
from bookings.services.lifecycle import bookings_complete_stays
from core.models import OutboxMessage
from rewards.selectors import balance_of
from tests.bookings.conftest import BOOKED_AT, confirmed_stay
from tests.factories import RoomTypeFactory, sellable_room_type

pytestmark = pytest.mark.django_db


def status(booking) -> str:
    booking.refresh_from_db()
    return booking.status


def test_a_stay_completes_at_midnight_after_check_out_on_the_hotels_calendar(traveller, coins):
    # check-out 11 March: Bangkok's 12 March begins at 17:00 UTC on the 11th, LA's at 07:00 UTC on the 12th
    bangkok = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    los_angeles = confirmed_stay(user=traveller, zone="America/Los_Angeles", days_ahead=1, nights=2)
    assert bangkok.check_out == los_angeles.check_out == date(2026, 3, 11)

    assert bookings_complete_stays(now=datetime(2026, 3, 11, 16, 59, tzinfo=UTC)) == 0
    assert bookings_complete_stays(now=datetime(2026, 3, 11, 17, 0, tzinfo=UTC)) == 1
    assert (status(bangkok), status(los_angeles)) == (Booking.Status.COMPLETED, Booking.Status.CONFIRMED)

    assert bookings_complete_stays(now=datetime(2026, 3, 12, 6, 59, tzinfo=UTC)) == 0
    assert bookings_complete_stays(now=datetime(2026, 3, 12, 7, 0, tzinfo=UTC)) == 1
    assert status(los_angeles) == Booking.Status.COMPLETED
    completed = OutboxMessage.objects.filter(topic="stay.completed").order_by("pk")
    assert [message.key for message in completed] == [bangkok.reference, los_angeles.reference]


def test_points_vest_when_the_stay_completes_at_the_hotels_midnight(traveller, coins, eager_tasks,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)
    earned = balance_of(user=traveller).pending
    assert earned > 0 and balance_of(user=traveller).available == 0

    with django_capture_on_commit_callbacks(execute=True):
        bookings_complete_stays(now=datetime(2026, 3, 11, 16, 59, tzinfo=UTC))
    assert balance_of(user=traveller).available == 0

    with django_capture_on_commit_callbacks(execute=True):
        bookings_complete_stays(now=datetime(2026, 3, 11, 17, 0, tzinfo=UTC))
    assert status(booking) == Booking.Status.COMPLETED
    assert (balance_of(user=traveller).available, balance_of(user=traveller).pending) == (earned, 0)


@pytest.mark.parametrize(("moment", "terms"), [
    (datetime(2026, 3, 11, 16, 59, tzinfo=UTC),
     "Free cancellation until 11 Mar 2026: cancelling now gives a full refund."),
    (datetime(2026, 3, 11, 17, 0, tzinfo=UTC),
     "Free cancellation ended on 11 Mar 2026: cancelling now gives no refund."),
])
def test_free_cancellation_ends_at_the_hotels_midnight(client, traveller, coins, moment, terms):
    # check-in 13 March, free cancellation until 2 days before: to the end of 11 March in Bangkok
    booking = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=5, nights=2)
    assert booking.check_in == date(2026, 3, 13)
    client.force_login(traveller)

    with time_machine.travel(moment, tick=False):
        page = client.get(f"/bookings/{booking.reference}/")

    assert page.status_code == 200
    assert terms in page.content.decode()


def test_checkout_refuses_a_check_in_already_past_at_the_hotel(client, traveller, coins):
    with time_machine.travel(BOOKED_AT, tick=False):
        room_type, flexible, _saver = sellable_room_type(
            room_type=RoomTypeFactory(property__destination__timezone="Asia/Bangkok"), days=10)
    client.force_login(traveller)
    query = {"room_type": room_type.pk, "rate_plan": flexible.pk, "rooms": 1, "guests": 2}

    with time_machine.travel(datetime(2026, 3, 10, 18, 30, tzinfo=UTC), tick=False):  # 01:30 on the 11th
        past = client.get("/book/", {**query, "check_in": "2026-03-10", "check_out": "2026-03-12"})
        today = client.get("/book/", {**query, "check_in": "2026-03-11", "check_out": "2026-03-13"})

    assert past.status_code == 400 and "Check-in cannot be in the past." in past.content.decode()
    assert today.status_code == 200
