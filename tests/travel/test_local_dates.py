"""The site shows each hotel's own today: past dates there are refused, and a destination's time
zone must be a real one."""
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
import time_machine

from catalogue.models import Destination
from tests.factories import (
    DestinationFactory,
    PropertyFactory,
    RoomTypeFactory,
    UserFactory,
    sellable_room_type,
)

pytestmark = pytest.mark.django_db

# 18:30 UTC on 10 March 2026: already 01:30 on 11 March in Bangkok, 11:30 on 10 March in Los Angeles.
BANGKOK_AFTER_MIDNIGHT = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
PAST_THERE = "Check-in cannot be in the past."


def hotel_in(zone: str, *, name: str, destination=None):
    destination = destination or DestinationFactory(timezone=zone)
    prop = PropertyFactory(destination=destination, name=name, slug=name.lower().replace(" ", "-"))
    with time_machine.travel(datetime(2026, 3, 8, 12, tzinfo=UTC), tick=False):
        sellable_room_type(room_type=RoomTypeFactory(property=prop), days=10)
    return prop


def stay(check_in: str, check_out: str, **extra) -> dict:
    return {"check_in": check_in, "check_out": check_out, "guests": "2", "rooms": "1", **extra}


def test_the_hotel_page_refuses_a_check_in_already_past_at_the_hotel(client):
    prop = hotel_in("Asia/Bangkok", name="Riverside Bangkok")

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        past = client.get(prop.get_absolute_url(), stay("2026-03-10", "2026-03-12")).content.decode()
        today = client.get(prop.get_absolute_url(), stay("2026-03-11", "2026-03-13")).content.decode()

    assert PAST_THERE in past
    assert PAST_THERE not in today and "Please check your stay" not in today


def test_the_hotel_pages_date_picker_starts_at_the_hotels_today(client):
    prop = hotel_in("Asia/Bangkok", name="Riverside Bangkok")

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        html = client.get(prop.get_absolute_url()).content.decode()

    assert 'name="check_in" id="id_check_in" value="" min="2026-03-11" required' in html


def test_searching_a_destination_uses_its_today(client):
    bangkok = DestinationFactory(name="Bangkok", slug="bangkok", timezone="Asia/Bangkok")
    hotel_in("Asia/Bangkok", name="Riverside Bangkok", destination=bangkok)

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        response = client.get("/search/", stay("2026-03-10", "2026-03-12", destination="bangkok"))

    assert response.status_code == 400
    assert PAST_THERE in response.content.decode()


def test_a_search_across_places_leaves_out_hotels_where_the_check_in_has_passed(client, suppliers_sandbox):
    hotel_in("Asia/Bangkok", name="Riverside Bangkok")
    hotel_in("America/Los_Angeles", name="Riverside Los Angeles")

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        response = client.get("/search/", stay("2026-03-10", "2026-03-12", destination="Riverside"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Riverside Los Angeles" in html
    assert "Riverside Bangkok" not in html


@pytest.mark.parametrize(("zone", "saved"), [
    ("Asia/Bangkok", True), ("America/Argentina/Buenos_Aires", True),
    ("Mars/Olympus_Mons", False), ("asia/bangkok ", False), ("localtime", False), ("../etc/passwd", False),
])
def test_a_destinations_time_zone_must_be_an_iana_name(client, zone, saved):
    client.force_login(UserFactory(username="chain-admin", is_staff=True, is_superuser=True))

    response = client.post("/admin/catalogue/destination/add/", {
        "name": "Somewhere", "slug": "somewhere", "country": "Thailand", "country_code": "TH",
        "summary": "A place.", "latitude": "13.7", "longitude": "100.5", "timezone": zone,
    })

    assert Destination.objects.filter(slug="somewhere").exists() is saved
    if not saved:
        assert response.status_code == 200
        assert "is not a time zone: use an IANA name such as Asia/Bangkok." in response.content.decode()


def test_the_google_transaction_feed_starts_at_the_hotels_today(client):
    prop = hotel_in("Asia/Bangkok", name="Riverside Bangkok")

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        response = client.get(f"/feeds/google/ari/{prop.pk}/transaction.xml")

    root = ElementTree.fromstring(response.content)
    assert root.get("id") == f"tx-{prop.pk}-20260311"
    assert min(result.find("Checkin").text for result in root.findall("Result")) == "2026-03-11"


def test_a_time_zone_stored_before_validation_falls_back_to_utc_instead_of_breaking_the_page(client):
    prop = hotel_in("Mars/Olympus_Mons", name="Riverside Nowhere")  # written around the admin's check

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        response = client.get(prop.get_absolute_url(), stay("2026-03-10", "2026-03-12"))

    assert response.status_code == 200
    assert PAST_THERE not in response.content.decode()  # 10 March, as in UTC
