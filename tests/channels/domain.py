"""Channel manager test helpers: a hotel listed on the OTAs with its codes mapped, and the sandbox
OTA's controls (make a reservation, modify, cancel, read what we answered)."""
from dataclasses import dataclass

import httpx
import pytest

from channels import demo as channel_demo
from channels.models import Channel, Listing, RateMapping, RoomMapping
from inventory.models import RoomNight
from tests.factories import sellable_room_type

HOTEL_CODES = {"booking_com": "BC-100", "expedia": "EX-200", "agoda": "AG-300", "traveloka": "TV-400",
               "trip_com": "TC-500"}
ROOM_CODE, RATE_CODE = "DLX", "FLEX"


@dataclass
class ListedHotel:
    room_type: object
    rate_plan: object
    listings: dict

    def nights(self, *dates):
        """(available, version) of each night, in order."""
        rows = {n.date: n for n in RoomNight.objects.filter(room_type=self.room_type, date__in=dates)}
        return [(rows[d].available, rows[d].version) for d in dates]


def list_hotel(*, total: int = 5, days: int = 60, channels=tuple(HOTEL_CODES)) -> ListedHotel:
    for code, name, push, inbound, commission in channel_demo.CHANNELS:
        Channel.objects.update_or_create(code=code, defaults={"name": name, "push_mode": push,
                                                              "inbound_mode": inbound, "commission_percent": commission})
    room_type, flexible, _saver = sellable_room_type(days=days, total=total)
    listings = {}
    for code in channels:
        listing = Listing.objects.create(channel=Channel.objects.get(code=code), property=room_type.property,
                                         hotel_code=HOTEL_CODES[code])
        RoomMapping.objects.create(listing=listing, room_type=room_type, room_code=ROOM_CODE)
        RateMapping.objects.create(listing=listing, rate_plan=flexible, rate_code=RATE_CODE)
        listings[code] = listing
    return ListedHotel(room_type=room_type, rate_plan=flexible, listings=listings)


class Ota:
    """The sandbox OTA's controls over HTTP."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def _post(self, path: str, **body) -> dict:
        response = httpx.post(f"{self.url}{path}", json=body, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def book(self, channel: str, check_in, check_out, *, rooms: int = 1, guests: int = 2, room_code: str = ROOM_CODE,
             rate_code: str = RATE_CODE, hotel_code: str | None = None, guest_name: str = "Ana Lopez") -> str:
        created = self._post("/_sandbox/reservations", channel=channel, hotel_code=hotel_code or HOTEL_CODES[channel],
                             room_code=room_code, rate_code=rate_code, check_in=check_in.isoformat(),
                             check_out=check_out.isoformat(), rooms=rooms, guests=guests, guest_name=guest_name,
                             guest_email="ana@example.com", total="240.00", currency="USD")
        return created["reservation_id"]

    def modify(self, channel: str, reservation_id: str, **changes) -> int:
        body = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in changes.items()}
        return self._post(f"/_sandbox/reservations/{channel}/{reservation_id}/modify", **body)["revision"]

    def cancel(self, channel: str, reservation_id: str) -> int:
        return self._post(f"/_sandbox/reservations/{channel}/{reservation_id}/cancel")["revision"]

    def reservation(self, channel: str, reservation_id: str) -> dict:
        listed = httpx.get(f"{self.url}/_sandbox/reservations", params={"channel": channel}, timeout=10).json()
        items = listed["reservations"] if isinstance(listed, dict) else listed
        return next(r for r in items if str(r.get("reservation_id", r.get("id"))) == reservation_id)

    def webhooks_to(self, channel: str, url: str, secret: str) -> None:
        self._post("/_sandbox/webhooks", channel=channel, url=url, secret=secret)

    def deliveries(self) -> list[dict]:
        listed = httpx.get(f"{self.url}/_sandbox/deliveries", timeout=10).json()
        return listed["deliveries"] if isinstance(listed, dict) else listed

    def resend(self, delivery_id) -> None:
        self._post(f"/_sandbox/deliveries/{delivery_id}/resend")

    def configure(self, **extra) -> None:
        self._post("/_sandbox/config", extra=extra)


@pytest.fixture
def ota(ota_sandbox) -> Ota:
    return Ota(ota_sandbox.url)
