"""The front desk: exactly the arrivals, departures and in-house guests of one hotel, for its staff."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from bookings.models import Booking, BookingGuest, ReviewItem
from channels.models import Channel, ChannelBooking
from inventory.models import RoomNight
from tests.factories import BookingFactory, UserFactory, sellable_room_type
from travel.staff.frontdesk import front_desk

pytestmark = pytest.mark.django_db
URL = reverse("admin:catalogue_property_frontdesk")
S = Booking.Status


def stay(room_type, name, *, arrive, nights, status=S.CONFIRMED, total="300.00"):
    return BookingFactory(property=room_type.property, room_type=room_type, title=f"Stay of {name}",
                          check_in=arrive, check_out=arrive + timedelta(days=nights), status=status, lead_name=name,
                          lead_email=f"{name.split()[0].lower()}@example.com", lead_phone="+442079460958",
                          total=Decimal(total), subtotal=Decimal(total))


@pytest.fixture
def world():
    """Hotel Alpha with one guest in every situation, and hotel Bravo with guests on the same days."""
    alpha, _, _ = sellable_room_type(days=40, total=4)
    bravo, _, _ = sellable_room_type(days=40, total=4)
    today = alpha.property.local_today()
    tomorrow = today + timedelta(days=1)
    ota = Channel.objects.create(code="agoda", name="Agoda")
    guests = {
        "arriving": stay(alpha, "Ana Arrive", arrive=today, nights=2),
        "arriving tomorrow": stay(alpha, "Tom Tomorrow", arrive=tomorrow, nights=3),
        "leaving": stay(alpha, "Lea Leave", arrive=today - timedelta(days=2), nights=2),
        "leaving tomorrow": stay(alpha, "Leo Later", arrive=today - timedelta(days=1), nights=2),
        "in house": stay(alpha, "Ines House", arrive=today - timedelta(days=3), nights=6),
    }
    BookingGuest.objects.create(booking=guests["in house"], position=1, name="Ivo House")
    ChannelBooking.objects.create(
        channel=ota, reservation_id="AG-1", confirmation="LTC-1", property=alpha.property, room_type=alpha,
        status=ChannelBooking.Status.HELD, check_in=today, check_out=today + timedelta(days=1),
        guest_name="Otto Channel", guest_email="otto@example.com", total=Decimal("100.00"), currency="USD")
    # not guests: unpaid, cancelled, expired; and a cancelled channel reservation
    stay(alpha, "Pat Pending", arrive=today, nights=1, status=S.PENDING)
    stay(alpha, "Cara Cancelled", arrive=today, nights=1, status=S.CANCELLED)
    stay(alpha, "Exa Expired", arrive=tomorrow, nights=1, status=S.EXPIRED)
    ChannelBooking.objects.create(
        channel=ota, reservation_id="AG-2", confirmation="LTC-2", property=alpha.property, room_type=alpha,
        status=ChannelBooking.Status.CANCELLED, check_in=today, check_out=tomorrow, guest_name="Cancelled Otto")
    # another hotel's guests on the very same days
    stay(bravo, "Bruno Bravo", arrive=today, nights=2)
    stay(bravo, "Bea Bravo", arrive=today - timedelta(days=3), nights=6)
    ReviewItem.objects.create(booking=guests["arriving"], reason=ReviewItem.Reason.LATE_PAYMENT)
    ReviewItem.objects.create(booking=Booking.objects.get(lead_name="Bruno Bravo"), reason=ReviewItem.Reason.OTHER)
    return alpha, bravo, today


def names(stays):
    return [s.guest for s in stays]


def test_the_desk_lists_exactly_the_arrivals_departures_and_guests_in_house(world):
    alpha, _, today = world

    desk = front_desk(prop=alpha.property, today=today)

    assert names(desk.arrivals_today) == ["Ana Arrive", "Otto Channel"]
    assert names(desk.arrivals_tomorrow) == ["Tom Tomorrow"]
    assert names(desk.departures_today) == ["Lea Leave"]
    assert names(desk.departures_tomorrow) == ["Leo Later", "Otto Channel"]  # Otto stays one night
    assert names(desk.in_house) == ["Ines House", "Leo Later"]
    ines = desk.in_house[0]
    assert (ines.email, ines.phone, ines.companions) == ("ines@example.com", "+442079460958", ("Ivo House",))
    assert desk.open_reviews == 1


def test_occupancy_and_revenue_come_from_the_nights_and_the_guests_who_pay(world):
    alpha, _, today = world
    RoomNight.objects.filter(room_type=alpha, date=today).update(available=1)  # 3 of 4 sold

    desk = front_desk(prop=alpha.property, today=today)

    assert len(desk.occupancy) == 30
    assert (desk.occupancy[0].sold, desk.occupancy[0].total, desk.occupancy[0].percent) == (3, 4, 75)
    # Ana 2/2 nights, Tom 3/3, Leo 1/2, Ines 3/6 of 300 each; Otto 100; Lea left: nothing ahead
    assert desk.revenue == {"USD": Decimal("300") + 300 + 150 + 150 + 100}


@pytest.fixture
def alpha_staff(world):
    alpha, _, _ = world
    staff = UserFactory(username="alpha-desk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(content_type__app_label="catalogue", codename="view_property"))
    alpha.property.staff.add(staff)
    return staff


def test_staff_see_their_own_hotel_and_never_another_hotels_guests(client, world, alpha_staff):
    alpha, bravo, _ = world
    client.force_login(alpha_staff)

    page = client.get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    for guest in ("Ana Arrive", "Otto Channel", "otto@example.com", "Tom Tomorrow", "Lea Leave", "Ines House"):
        assert guest in html
    for hidden in ("Bruno Bravo", "Bea Bravo", "Pat Pending", "Cara Cancelled", bravo.property.name):
        assert hidden not in html
    assert client.get(URL, {"property": bravo.property.pk}).status_code == 404
    assert client.get(URL, {"property": "1²"}).status_code == 404


def test_a_superuser_picks_any_hotel(client, world):
    _, bravo, _ = world
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    html = client.get(URL, {"property": bravo.property.pk}).content.decode()

    assert "Bruno Bravo" in html and "Ana Arrive" not in html


def test_staff_without_a_hotel_see_a_message_and_the_menu_links_the_desk(client, world):
    lonely = UserFactory(username="lonely", is_staff=True)
    lonely.user_permissions.add(Permission.objects.get(content_type__app_label="catalogue", codename="view_property"))
    client.force_login(lonely)

    assert "not attached to any property" in client.get(URL).content.decode()
    assert f'href="{URL}"' in client.get(reverse("admin:index")).content.decode()
