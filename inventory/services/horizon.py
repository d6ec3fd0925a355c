"""Inventory never runs out: every room type has nights and rates from the hotel's today to
``settings.INVENTORY_HORIZON_DAYS`` ahead.

``inventory_horizon_extend`` fills only the nights (and rates) that are missing, so it is safe to
run any number of times, concurrently too (``bulk_create(ignore_conflicts=True)`` is
``INSERT … ON CONFLICT DO NOTHING`` on the unique night and rate keys). Nothing that exists is
touched: bookings and staff edits stay as they are.

A new night copies the room count of the same weekday one week earlier (the latest night when
there is none), with the model's default restrictions; a new rate copies the price of its rate
plan on the same weekday one week earlier, so weekend and season prices roll forward as the hotel
set them. A room type that has no nights yet (just created) opens with 0 rooms, priced from
another room type of the same plan (a new plan: from another plan of the same room type) where
there is one: nothing sells until staff set the rooms and prices in the calendar, which is safer
than inventing a count.

Each room type that gained nights or prices publishes one ``inventory.changed`` with those dates,
so the channel manager pushes them like any other change.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from catalogue.models import Property, RoomType
from inventory.changes import change_record
from inventory.models import Rate, RatePlan, RoomNight
from inventory.night_writes import NightWritten

OPENING_ROOMS = 0
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Extended:
    nights: int
    rates: int


def horizon_days() -> int:
    return int(getattr(settings, "INVENTORY_HORIZON_DAYS", 365))


def horizon_dates(*, today: date) -> list[date]:
    return [today + timedelta(days=i) for i in range(horizon_days())]


def _like_last_week(known: dict, day: date):
    """The value of the same weekday a week (or more) before ``day``, else the latest before it."""
    probe = day - WEEK
    earliest = min(known) if known else day
    while probe >= earliest:
        if probe in known:
            return known[probe]
        probe -= WEEK
    earlier = [d for d in known if d < day]
    return known[max(earlier)] if earlier else None


def _new_nights(room_type: RoomType, dates: list[date]) -> list[RoomNight]:
    since = dates[0] - WEEK
    totals = dict(RoomNight.objects.filter(room_type=room_type, date__gte=since).values_list("date", "total"))
    if not totals:
        last = RoomNight.objects.filter(room_type=room_type, date__lt=since).order_by("-date").first()
        if last is not None:
            totals[last.date] = last.total
    created = []
    for day in dates:
        if day in totals:
            continue
        total = _like_last_week(totals, day)
        totals[day] = OPENING_ROOMS if total is None else total
        created.append(RoomNight(room_type=room_type, date=day, total=totals[day], available=totals[day]))
    return created


def _new_rates(room_type: RoomType, plan: RatePlan, dates: list[date]) -> list[Rate]:
    since = dates[0] - WEEK
    fields = ("date", "single", "double", "extra_guest")
    mine = Rate.objects.filter(room_type=room_type, rate_plan=plan)
    known = {r[0]: r[1:] for r in mine.filter(date__gte=since).values_list(*fields)}
    if not known:
        last = mine.filter(date__lt=since).order_by("-date").values_list(*fields).first()
        if last is not None:
            known[last[0]] = last[1:]
    sibling = {}
    if not known:  # new: the plan's price for another room type, else another plan's for this one
        window = Rate.objects.filter(date__gte=since, date__lte=dates[-1])
        for others in (window.filter(rate_plan=plan).exclude(room_type=room_type),
                       window.filter(room_type=room_type).exclude(rate_plan=plan)):
            for row in others.order_by("room_type_id", "rate_plan_id", "date").values_list(*fields):
                sibling.setdefault(row[0], row[1:])
            if sibling:
                break
    created = []
    for day in dates:
        if day in known:
            continue
        prices = sibling.get(day) or _like_last_week(known, day) or _like_last_week(sibling, day)
        if prices is None:
            continue  # no price anywhere to start from: staff set it in the calendar
        known[day] = prices
        single, double, extra = prices
        created.append(Rate(room_type=room_type, rate_plan=plan, date=day, single=single, double=double,
                            extra_guest=extra))
    return created


def inventory_horizon_extend(*, room_type: RoomType, today: date | None = None,
                             source: str = "horizon") -> Extended:
    """Create the missing nights and rates of ``room_type`` up to the horizon; idempotent."""
    prop = room_type.property
    dates = horizon_dates(today=today or prop.local_today())
    existing = set(RoomNight.objects.filter(room_type=room_type, date__range=(dates[0], dates[-1]))
                   .values_list("date", flat=True))
    missing = [d for d in dates if d not in existing]
    rates_missing = []
    for plan in RatePlan.objects.filter(property_id=room_type.property_id):
        priced = set(Rate.objects.filter(room_type=room_type, rate_plan=plan, date__range=(dates[0], dates[-1]))
                     .values_list("date", flat=True))
        if len(priced) < len(dates):
            rates_missing.extend(_new_rates(room_type, plan, [d for d in dates if d not in priced]))
    if not missing and not rates_missing:
        return Extended(0, 0)
    with transaction.atomic():
        nights = _new_nights(room_type, missing) if missing else []
        RoomNight.objects.bulk_create(nights, ignore_conflicts=True, batch_size=2000)
        Rate.objects.bulk_create(rates_missing, ignore_conflicts=True, batch_size=2000)
        _announce(room_type, dates=set(missing) | {r.date for r in rates_missing}, source=source,
                  rate_plan_ids=sorted({r.rate_plan_id for r in rates_missing}))
    return Extended(len(nights), len(rates_missing))


def _announce(room_type: RoomType, *, dates: set, source: str, rate_plan_ids: list[int]) -> None:
    """One ``inventory.changed`` for the new nights and prices, with the nights' current versions.
    With new prices it carries ``rate_plan_id`` (None: see ``rate_plan_ids``), so channels push
    prices as well as availability."""
    extra = {"rate_plan_id": None, "rate_plan_ids": rate_plan_ids} if rate_plan_ids else {}
    nights = RoomNight.objects.filter(room_type=room_type, date__in=dates).order_by("date")
    change_record(room_type=room_type, source=source, **extra, written=[
        NightWritten(room_type.pk, n.date, n.version, n.available, n.stop_sell) for n in nights])


def inventory_horizon_extend_property(*, prop: Property, today: date | None = None) -> Extended:
    """Every room type of one property (a new property, or the daily roll)."""
    nights = rates = 0
    for room_type in prop.room_types.select_related("property").order_by("pk"):
        done = inventory_horizon_extend(room_type=room_type, today=today)
        nights, rates = nights + done.nights, rates + done.rates
    return Extended(nights, rates)


def inventory_horizon_roll(*, today: date | None = None) -> Extended:
    """The daily roll: every property's room types up to the horizon from its own today."""
    nights = rates = 0
    for prop in Property.objects.order_by("pk"):
        done = inventory_horizon_extend_property(prop=prop, today=today)
        nights, rates = nights + done.nights, rates + done.rates
    return Extended(nights, rates)
