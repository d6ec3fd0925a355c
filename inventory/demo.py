"""Demo inventory: two rate plans per hotel and a horizon (``INVENTORY_HORIZON_DAYS``, 365 by
default) of nights and rates, with season and weekend prices; the daily ``inventory.horizon_roll``
carries them forward. Idempotent: nights and rates that exist are left as they are (bookings may
have changed them)."""
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from catalogue.demo import HOTEL_STAFF_GROUP, ROOM_TYPES
from catalogue.models import Property
from inventory.models import Rate, RatePlan, RoomNight
from inventory.services.horizon import horizon_days

ROOMS_BY_TYPE = {code: rooms for code, _name, _occ, _bed, _size, rooms in ROOM_TYPES}
BASE_PRICE = {"deluxe": Decimal("80"), "premier": Decimal("120"), "suite": Decimal("210")}
STAR_FACTOR = {3: Decimal("0.7"), 4: Decimal("1.0"), 5: Decimal("1.6")}
NON_REFUNDABLE_DISCOUNT = Decimal("0.88")
STAFF_PERMISSIONS = ["view_roomnight", "change_roomnight", "view_rate", "change_rate", "view_rateplan", "add_rateplan",
                     "change_rateplan"]


def seed() -> None:
    start = timezone.localdate()
    dates = [start + timedelta(days=i) for i in range(horizon_days())]
    for prop in Property.objects.prefetch_related("room_types"):
        flexible, saver = _seed_rate_plans(prop)
        for room_type in prop.room_types.all():
            _seed_nights(room_type, dates)
            _seed_rates(room_type, flexible, dates, factor=Decimal(1))
            _seed_rates(room_type, saver, dates, factor=NON_REFUNDABLE_DISCOUNT)
    group, _ = Group.objects.get_or_create(name=HOTEL_STAFF_GROUP)
    # The calendar, prices and rate plans; holds and channel requests are the platform's internals.
    group.permissions.add(*Permission.objects.filter(content_type__app_label="inventory", codename__in=STAFF_PERMISSIONS))


def _seed_rate_plans(prop: Property) -> tuple[RatePlan, RatePlan]:
    flexible, _ = RatePlan.objects.get_or_create(
        property=prop, code="flex",
        defaults={"name": "Flexible, free cancellation", "refundable": True, "free_cancellation_days": 2,
                  "breakfast_included": True},
    )
    saver, _ = RatePlan.objects.get_or_create(
        property=prop, code="saver",
        defaults={"name": "Saver, non-refundable", "refundable": False, "free_cancellation_days": 0},
    )
    return flexible, saver


def _seed_nights(room_type, dates) -> None:
    total = ROOMS_BY_TYPE.get(room_type.code, 5)
    RoomNight.objects.bulk_create(
        [RoomNight(room_type=room_type, date=d, total=total, available=total) for d in dates],
        ignore_conflicts=True,
        batch_size=2000,
    )


def _seed_rates(room_type, rate_plan, dates, *, factor: Decimal) -> None:
    base = BASE_PRICE.get(room_type.code, Decimal("100")) * STAR_FACTOR[room_type.property.star_rating]
    rates = []
    for d in dates:
        season = Decimal("1.25") if d.month in (7, 8, 12) else Decimal("1")
        weekend = Decimal("1.15") if d.weekday() in (4, 5) else Decimal("1")
        double = (base * season * weekend * factor).quantize(Decimal("1"))
        rates.append(Rate(
            room_type=room_type, rate_plan=rate_plan, date=d,
            double=double, single=(double * Decimal("0.9")).quantize(Decimal("1")),
            extra_guest=Decimal("25"),
        ))
    Rate.objects.bulk_create(rates, ignore_conflicts=True, batch_size=2000)
