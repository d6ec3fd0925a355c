"""The sandbox OTA's controls, for the demo and for staff trying the platform: make a channel send
a reservation now. Only where CHANNEL_SANDBOX_CONTROLS is on (never in production)."""
import random
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from channels.models import Listing
from core.http_client import outside_http
from sandboxes.embedded import sandbox_url

GUESTS = ["Ana Lopez", "Kenji Sato", "Priya Nair", "Tom Becker", "Linh Tran", "Sofia Rossi", "Omar Haddad"]


def sandbox_root() -> str:
    if not settings.CHANNEL_SANDBOX_CONTROLS:
        raise ImproperlyConfigured("The sandbox OTA's controls are off here (CHANNEL_SANDBOX_CONTROLS).")
    return (settings.OTA_API_URL or sandbox_url("ota")).rstrip("/")


def webhooks_to(*, channel_code: str, url: str) -> None:
    """Point a channel's webhooks at this site (the sandbox signs them with the configured secret)."""
    secret = settings.CHANNEL_APIS[channel_code].get("webhook_secret", "")
    outside_http().post(f"{sandbox_root()}/_sandbox/webhooks",
                        json={"channel": channel_code, "url": url, "secret": secret}, timeout=5).raise_for_status()


def sandbox_reservation_create(*, listing: Listing, days_ahead: int | None = None, nights: int | None = None,
                               rng: random.Random | None = None) -> dict:
    """A new reservation on the listing's channel, for one of its mapped rooms and rates."""
    rng = rng or random.Random()
    room = rng.choice(list(listing.room_mappings.select_related("room_type")))
    rate = rng.choice(list(listing.rate_mappings.all()))
    check_in = listing.property.local_today() + timedelta(days=days_ahead or rng.randint(7, 60))
    check_out = check_in + timedelta(days=nights or rng.randint(1, 4))
    guests = rng.randint(1, max(1, min(2, room.room_type.max_occupancy)))
    response = outside_http().post(f"{sandbox_root()}/_sandbox/reservations", json={
        "channel": listing.channel.code, "hotel_code": listing.hotel_code, "room_code": room.room_code,
        "rate_code": rate.rate_code, "check_in": check_in.isoformat(), "check_out": check_out.isoformat(),
        "rooms": 1, "guests": guests, "guest_name": rng.choice(GUESTS),
    }, timeout=5)
    response.raise_for_status()
    return response.json()
