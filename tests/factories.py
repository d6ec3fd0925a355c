"""Factories for test data. `sellable_room_type()` gives a room type ready to book."""
from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalogue.models import Destination, Property, RoomType
from inventory.models import Rate, RatePlan, RoomNight


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-for-tests")


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Destination

    name = factory.Sequence(lambda n: f"Destination {n}")
    slug = factory.Sequence(lambda n: f"destination-{n}")
    country = "Thailand"
    country_code = "TH"
    summary = factory.LazyAttribute(lambda d: f"Summary of {d.name}.")
    latitude = Decimal("13.7")
    longitude = Decimal("100.5")


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    destination = factory.SubFactory(DestinationFactory)
    name = factory.Sequence(lambda n: f"Hotel {n}")
    slug = factory.Sequence(lambda n: f"hotel-{n}")
    star_rating = 4
    summary = factory.LazyAttribute(lambda p: f"Summary of {p.name}.")
    street_address = "1 Test Road"
    locality = "Bangkok"
    country_code = "TH"
    latitude = Decimal("13.7")
    longitude = Decimal("100.5")
    tax_percent = Decimal("10.00")
    fee_per_night = Decimal("5.00")


class RoomTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomType

    property = factory.SubFactory(PropertyFactory)
    code = factory.Sequence(lambda n: f"room-{n}")
    name = "Deluxe Room"
    max_occupancy = 3


class RatePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RatePlan

    property = factory.SubFactory(PropertyFactory)
    code = factory.Sequence(lambda n: f"plan-{n}")
    name = "Flexible"
    refundable = True


def sellable_room_type(*, days: int = 30, total: int = 5, double: str = "100.00", room_type=None):
    """A room type with `days` nights from today, `total` rooms each, and a flexible and a
    non-refundable rate plan. Returns (room_type, flexible_plan, saver_plan)."""
    room_type = room_type or RoomTypeFactory()
    prop = room_type.property
    flexible = RatePlanFactory(property=prop, code="flex", name="Flexible", refundable=True)
    saver = RatePlanFactory(property=prop, code="saver", name="Saver", refundable=False)
    start = timezone.localdate()
    dates = [start + timedelta(days=i) for i in range(days)]
    RoomNight.objects.bulk_create(RoomNight(room_type=room_type, date=d, total=total, available=total) for d in dates)
    price = Decimal(double)
    for plan, factor in ((flexible, Decimal(1)), (saver, Decimal("0.9"))):
        Rate.objects.bulk_create(
            Rate(room_type=room_type, rate_plan=plan, date=d, double=price * factor,
                 single=price * factor - 10, extra_guest=Decimal("20"))
            for d in dates
        )
    return room_type, flexible, saver


class StaffUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row as placing leaves it (pending, no invoice): for pages and admin tests that need
    a booking to exist, not the placing path (tests/bookings covers that)."""

    class Meta:
        model = "bookings.Booking"

    reference = factory.Sequence(lambda n: f"LT-F{n:06d}")
    user = factory.SubFactory(UserFactory)
    kind = "stay"
    title = "A stay"
    subtotal = Decimal("100.00")
    total = Decimal("100.00")
    currency = "USD"
    coin_code = "BTC"
    coin_rate = Decimal("64000")
    crypto_amount = Decimal("0.0015625")
    idempotency_key = factory.Sequence(lambda n: f"factory-{n}")
    request_fingerprint = "factory"


def guests_body(count: int = 2, **lead) -> dict:
    """Who is travelling, as the booking API takes it: a lead guest and ``count - 1`` others."""
    return {"lead": {"name": "Ana Traveller", "email": "ana@example.com", "phone": "+44 20 7946 0958", **lead},
            "others": [f"Guest {n} Traveller" for n in range(2, count + 1)]}


def place_stay_through_api(api, room, *, key: str, nights: int = 2, coin: str = "BTC") -> str:
    """Lock and place, through the booking API, ``nights`` nights for two guests ten days ahead in
    ``room`` (a (room type, rate plan) pair); the new booking's reference."""
    check_in = timezone.localdate() + timedelta(days=10)
    lock = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(), "rooms": 1, "guests": 2, "coin": coin,
    }, content_type="application/json").json()
    placed = api.post("/api/bookings/", {"lock_id": lock["lock_id"], "guests": guests_body(2)},
                      content_type="application/json", headers={"Idempotency-Key": key})
    assert placed.status_code == 201, placed.content
    return placed.json()["reference"]


def guest_form_fields(count: int = 2) -> dict:
    """Who is travelling, as the "Book now" form takes it (one ``other_name`` per other guest)."""
    return {"lead_name": "Ana Traveller", "lead_email": "ana@example.com", "lead_phone": "+44 20 7946 0958",
            "other_name": [f"Guest {n} Traveller" for n in range(2, count + 1)]}
