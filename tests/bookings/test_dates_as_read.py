"""The booking pages as a traveller reads them: dates in the format of their browser's languages
(or of their footer choice), and "1 room, 1 guest" / "2 rooms, 2 guests", never "room(s)"."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.events import record
from inventory.stays import validate_stay
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db
PLACED_AT = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
UK_STAY = "<dd>Thu 4 Mar 2027 → Sun 7 Mar 2027</dd>"
US_STAY = "<dd>Thu, Mar 4, 2027 → Sun, Mar 7, 2027</dd>"


@pytest.fixture
def booking(traveller):
    booking = BookingFactory(user=traveller, reference="LT-DATES1", title="Deluxe Room, 3 nights",
                             check_in=date(2027, 3, 4), check_out=date(2027, 3, 7), rooms=1, guests=2)
    with time_machine.travel(PLACED_AT, tick=False):
        record(booking=booking, action="booking.placed")
    return booking


def page(client, booking, accept_language: str) -> str:
    return client.get(f"/bookings/{booking.reference}/", HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()


@pytest.mark.parametrize(("accept_language", "stay", "placed"), [
    ("en-US,en;q=0.9", US_STAY, "12/1/2026 2:05 PM UTC"),
    ("en-GB,en;q=0.9", UK_STAY, "01/12/2026 14:05 UTC"),
    ("de-DE,de;q=0.9,en;q=0.8", UK_STAY, "1.12.2026 14:05 UTC"),
    ("th-TH,th;q=0.9", UK_STAY, "1/12/2026 14:05 UTC"),
    ("fr-CA, de-AT;q=0.5", UK_STAY, "1.12.2026 14:05 UTC"),  # the first language we know, in their order
    ("tlh, xx-YY;q=0.8", UK_STAY, "01/12/2026 14:05 UTC"),  # none we know: the default
    ("", UK_STAY, "01/12/2026 14:05 UTC"),
    ("en-US;q=" + "9" * 500, UK_STAY, "01/12/2026 14:05 UTC"),  # garbage is the default, not an error
])
def test_the_booking_page_shows_dates_as_the_visitors_browser_reads_them(client, traveller, booking,
                                                                          accept_language, stay, placed):
    client.force_login(traveller)

    html = page(client, booking, accept_language)

    assert stay in html
    assert f'<time datetime="2026-12-01T14:05:00+00:00">{placed}</time>' in html  # machine-readable: ISO


def test_the_footer_choice_wins_over_the_browser_and_can_be_cleared(client, traveller, booking):
    client.force_login(traveller)
    detail = f"/bookings/{booking.reference}/"

    chosen = client.get("/dates/", {"format": "en-US", "next": detail})
    as_chosen = page(client, booking, "en-GB")
    cleared = client.get("/dates/", {"format": "", "next": "https://elsewhere.example/"})
    as_browser = page(client, booking, "en-GB")

    assert chosen.status_code == 302 and chosen["Location"] == detail
    assert US_STAY in as_chosen and '<option value="en-US" selected>' in as_chosen
    assert cleared["Location"] == "/"  # only a path on this site
    assert UK_STAY in as_browser and "selected>" not in re.search(r'id="date-format".*?</select>', as_browser,
                                                                  re.S).group(0)


def test_my_bookings_and_the_answer_vary_on_the_language(client, traveller, booking):
    client.force_login(traveller)

    listed = client.get("/bookings/", HTTP_ACCEPT_LANGUAGE="en-US")

    assert "Mar 4, 2027 → Mar 7, 2027" in listed.content.decode()
    assert "Accept-Language" in listed["Vary"]


@pytest.mark.parametrize(("rooms", "guests", "shown"), [(1, 1, "<dd>1 room · 1 guest</dd>"),
                                                        (2, 2, "<dd>2 rooms · 2 guests</dd>")])
def test_rooms_and_guests_on_the_booking_page_read_in_singular_and_plural(client, traveller, rooms, guests, shown):
    client.force_login(traveller)
    booking = BookingFactory(user=traveller, check_in=date(2027, 3, 4), check_out=date(2027, 3, 5),
                             rooms=rooms, guests=guests)

    html = page(client, booking, "en-GB")

    assert shown in html and "(s)" not in html


@pytest.mark.parametrize(("rooms", "guests", "shown"), [(1, 1, "1 room, 1 guest</dd>"),
                                                        (2, 2, "2 rooms, 2 guests</dd>")])
def test_the_locked_price_names_rooms_and_guests_in_singular_and_plural(client, traveller, room, rooms, guests,
                                                                        shown):
    client.force_login(traveller)
    check_in = timezone.localdate() + timedelta(days=10)
    query = {"room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
             "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": rooms, "guests": guests}

    html = client.post("/book/lock/", {**query, "coin": "ETH"}, follow=True,
                       HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert "Your price is locked" in html
    assert f"{check_in:%a}, {check_in:%b} {check_in.day}, {check_in.year} → " in html
    assert shown in html and "(s)" not in html


@pytest.mark.parametrize(("rooms", "message"), [
    (1, "Choose between 1 and 8 guests for 1 room."),
    (2, "Choose between 2 and 16 guests for 2 rooms."),
])
def test_too_many_guests_for_the_rooms_is_said_in_singular_and_plural(rooms, message):
    check_in = timezone.localdate() + timedelta(days=3)

    with pytest.raises(ValidationError) as refused:
        validate_stay(check_in, check_in + timedelta(days=1), rooms=rooms, guests=20)

    assert refused.value.messages == [message]
