"""The demo gives every staff screen something to show: a guest in every situation at each hotel."""
import pytest

from bookings import demo
from bookings.models import Booking, ReviewItem
from inventory.models import Hold
from tests.factories import sellable_room_type
from travel.staff.frontdesk import front_desk

pytestmark = pytest.mark.django_db


def test_every_hotel_has_bookings_in_every_state_and_the_desk_has_guests_once():
    room_type, _, _ = sellable_room_type(days=30, total=5)

    demo.seed()
    demo.seed()  # the same day again: nothing more

    bookings = Booking.objects.filter(property=room_type.property)
    assert set(bookings.values_list("status", flat=True)) >= {
        "pending", "payment_confirmed", "confirmed", "cancelled", "expired", "no_show", "completed"}
    assert bookings.count() == len(demo.SCENES)
    assert set(bookings.values_list("user__username", flat=True)) == {demo.DEMO_GUESTS_USERNAME}
    desk = front_desk(prop=room_type.property)
    assert len(desk.arrivals_today) == 2 and len(desk.arrivals_tomorrow) == 1
    assert len(desk.in_house) == 1 and len(desk.departures_today) == 1
    assert all(s.guest and s.email and s.phone for s in desk.arrivals_today + desk.in_house)
    assert desk.open_reviews == ReviewItem.objects.count() == 1
    # the guests expected tonight hold their rooms
    held = Hold.objects.filter(room_type=room_type, status=Hold.Status.HELD).count()
    assert held == bookings.filter(status__in=["confirmed", "payment_confirmed"]).exclude(
        check_out__lte=room_type.property.local_today()).count()
    assert desk.occupancy[0].sold == 3  # two arrivals and the in-house guest
