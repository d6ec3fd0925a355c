"""The front desk: exactly the arrivals, departures and in-house guests of one hotel, for its staff."""
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from inventory.models import RoomNight
from tests.factories import UserFactory
from travel.staff.frontdesk import front_desk

pytestmark = pytest.mark.django_db
URL = reverse("admin:catalogue_property_frontdesk")


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
