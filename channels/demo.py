"""The six sales channels, every demo hotel listed on the five OTAs with its rooms and rates
mapped to the channel's codes, and a few reservations that came in from them. Idempotent."""
from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from catalogue.models import Property
from channels.models import Channel, ChannelBooking, Listing, RateMapping, RoomMapping

CHANNELS = [
    ("booking_com", "Booking.com", Channel.PushMode.BULK, Channel.InboundMode.WEBHOOK, "15"),
    ("expedia", "Expedia", Channel.PushMode.BULK, Channel.InboundMode.WEBHOOK, "18"),
    ("agoda", "Agoda", Channel.PushMode.SINGLE_DATE, Channel.InboundMode.WEBHOOK, "15"),
    ("traveloka", "Traveloka", Channel.PushMode.BULK, Channel.InboundMode.POLLING, "15"),
    ("trip_com", "Trip.com", Channel.PushMode.BULK, Channel.InboundMode.POLLING, "15"),
    ("direct", "Direct (our site)", Channel.PushMode.BULK, Channel.InboundMode.DIRECT, "0"),
]
# How each OTA spells codes, so the demo shows that they are the channel's, not ours.
CODE_STYLE = {
    "booking_com": lambda prop, code: (f"{prop.pk + 1000000}", f"{prop.pk}{code.upper()}"),
    "expedia": lambda prop, code: (f"{prop.pk + 2000}", f"2{prop.pk:03d}-{code}"),
    "agoda": lambda prop, code: (f"{prop.pk + 90000}", f"AG-{code.upper()}"),
    "traveloka": lambda prop, code: (f"TVL{prop.pk:05d}", f"tvl-{code}"),
    "trip_com": lambda prop, code: (f"{prop.pk + 700000}", f"{code.upper()}-{prop.pk}"),
}


def seed() -> None:
    for code, name, push, inbound, commission in CHANNELS:
        Channel.objects.update_or_create(
            code=code,
            defaults={"name": name, "push_mode": push, "inbound_mode": inbound,
                      "commission_percent": Decimal(commission)},
        )
    for prop in Property.objects.prefetch_related("room_types", "rate_plans"):
        for channel in Channel.objects.exclude(code="direct"):
            listing_seed(channel=channel, prop=prop)
    _staff_permissions()
    if not ChannelBooking.objects.exists():
        from channels.demo_traffic import demo_reservations

        demo_reservations()


STAFF_PERMISSIONS = [
    "view_listing", "change_listing", "view_roommapping", "add_roommapping", "change_roommapping",
    "delete_roommapping", "view_ratemapping", "add_ratemapping", "change_ratemapping", "delete_ratemapping",
    "view_channelbooking", "change_channelbooking", "view_channelrevision", "view_channelbookingevent",
    "view_dirtymark", "view_pushstep", "view_reconciliationreport",
]


def _staff_permissions() -> None:
    """Hotel staff read their channel reservations, mark no-shows and keep their mappings."""
    group = Group.objects.filter(name="Hotel staff").first()
    if group:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="channels",
                                                          codename__in=STAFF_PERMISSIONS))


def listing_seed(*, channel: Channel, prop: Property) -> Listing:
    style = CODE_STYLE[channel.code]
    hotel_code, _ = style(prop, "")
    listing, _ = Listing.objects.get_or_create(channel=channel, property=prop, defaults={"hotel_code": hotel_code})
    for room_type in prop.room_types.all():
        RoomMapping.objects.get_or_create(listing=listing, room_type=room_type,
                                          defaults={"room_code": style(prop, room_type.code)[1]})
    for rate_plan in prop.rate_plans.all():
        RateMapping.objects.get_or_create(listing=listing, rate_plan=rate_plan,
                                          defaults={"rate_code": style(prop, rate_plan.code)[1]})
    return listing
