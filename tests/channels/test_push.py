"""Availability, rates and restrictions going out to the five channels, in-process (eager tasks),
over real HTTP to the sandbox OTA and on real PostgreSQL/Redis. Each test reads what the hotel
would check: every channel's own view.

Eager tasks ignore countdowns: a flush runs as soon as it is scheduled and a retry at once (the
limiter still waits out a channel's Retry-After). The single-date channel (Agoda-like) gets a
change that closes nothing out only from the batch: these tests call ``channels.flush_batched``
as its beat would. Coalescing and the retry delays themselves are in test_push_workers.py.
"""
import pytest

from channels.tasks import flush_batched
from inventory.services import inventory_release
from tests.channels.domain import list_hotel, ota  # noqa: F401  (fixture)
from tests.channels.push_helpers import BULK, OTAS, days, everywhere, reserve, shown

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pushing(ota, eager_tasks):
    return ota


def test_a_booking_reaches_every_channel_and_a_cancellation_gives_the_room_back(pushing):
    # given: 3 rooms a night, listed on five OTAs
    hotel = list_hotel(total=3)
    nights = [days(10), days(11)]

    # when: Booking.com sells a room for two nights
    hold = reserve(hotel, days(10), nights=2, source="booking_com")

    # then: the bulk channels show it at once, Agoda with its batch
    for night in nights:
        assert {c: shown(pushing, c, night) for c in BULK} == dict.fromkeys(BULK, 2)
    assert shown(pushing, "agoda", days(10)) is None
    flush_batched.delay()
    for night in nights:
        assert everywhere(pushing, night) == dict.fromkeys(OTAS, 2)
    assert everywhere(pushing, days(12)) == dict.fromkeys(OTAS, None)  # nothing else was pushed

    # when: it is cancelled
    inventory_release(hold=hold)
    flush_batched.delay()

    # then: the room is back everywhere
    for night in nights:
        assert everywhere(pushing, night) == dict.fromkeys(OTAS, 3)
