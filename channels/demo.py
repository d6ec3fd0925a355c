"""The six sales channels every demo hotel sells on. Idempotent."""
from decimal import Decimal

from channels.models import Channel

CHANNELS = [
    ("booking_com", "Booking.com", Channel.PushMode.BULK, Channel.InboundMode.WEBHOOK, "15"),
    ("expedia", "Expedia", Channel.PushMode.BULK, Channel.InboundMode.POLLING, "18"),
    ("agoda", "Agoda", Channel.PushMode.SINGLE_DATE, Channel.InboundMode.WEBHOOK, "15"),
    ("traveloka", "Traveloka", Channel.PushMode.SINGLE_DATE, Channel.InboundMode.POLLING, "15"),
    ("trip_com", "Trip.com", Channel.PushMode.BULK, Channel.InboundMode.WEBHOOK, "15"),
    ("direct", "Direct (our site)", Channel.PushMode.BULK, Channel.InboundMode.DIRECT, "0"),
]


def seed() -> None:
    for code, name, push, inbound, commission in CHANNELS:
        Channel.objects.update_or_create(
            code=code,
            defaults={"name": name, "push_mode": push, "inbound_mode": inbound,
                      "commission_percent": Decimal(commission)},
        )
