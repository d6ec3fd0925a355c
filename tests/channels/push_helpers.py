"""Availability going out, as a hotel would check it: what each channel's own view says.

``shown(ota, channel, day)`` reads the sandbox OTA's view of one channel (what our pushes told
it) over HTTP; ``everywhere(...)`` reads all five at once.
"""
from datetime import date, timedelta

import httpx
from django.utils import timezone

from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.channels.domain import HOTEL_CODES, RATE_CODE, ROOM_CODE, Ota

OTAS = tuple(HOTEL_CODES)
BULK = ("booking_com", "expedia", "traveloka", "trip_com")


def days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def view(ota: Ota, channel: str, *, room_code: str = ROOM_CODE) -> dict:
    """{day iso: entry} of a room on the channel: only what some push set."""
    response = httpx.get(f"{ota.url}/_sandbox/view/{channel}/{HOTEL_CODES[channel]}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["rooms"].get(room_code, {})


def shown(ota: Ota, channel: str, day: date, name: str = "available"):
    """One value the channel shows for a night (None if no push set it): the room's
    ``available``, or the mapped rate plan's ``price``, ``min_stay``, ..."""
    entry = view(ota, channel).get(day.isoformat(), {})
    return entry.get(name) if name == "available" else entry.get("rates", {}).get(RATE_CODE, {}).get(name)


def everywhere(ota: Ota, day: date, name: str = "available") -> dict:
    return {channel: shown(ota, channel, day, name) for channel in OTAS}


def reserve(hotel, check_in: date, nights: int = 1, *, source: str = "booking_com", rooms: int = 1):
    return inventory_reserve(room_type=hotel.room_type, source=source,
                             stay=Stay(check_in, check_in + timedelta(days=nights), rooms=rooms, guests=2))


def sandbox_calls(ota: Ota) -> int:
    return httpx.get(f"{ota.url}/_sandbox/stats", timeout=10).json()["calls"]
