"""Reads of inventory: what is available and what a stay costs.

The price a traveller sees is the price charged: nightly rates for the occupancy, plus taxes
and the property's per-night fees, rounded once per component to the cent.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalogue.models import RoomType
from core.money import money
from inventory.cache import hot_cache, hot_cache_write
from inventory.models import Rate, RatePlan, RoomNight
from inventory.restrictions import restriction_violation
from inventory.stays import Stay


@dataclass(frozen=True)
class NightPrice:
    date: date
    amount: Decimal  # for all rooms of the stay, before taxes and fees


@dataclass(frozen=True)
class StayQuote:
    room_type_id: int
    rate_plan_id: int
    stay: Stay
    currency: str
    nights: tuple[NightPrice, ...]
    room_total: Decimal
    taxes: Decimal
    fees: Decimal
    total: Decimal
    bookable: bool
    reason: str = ""

    @property
    def per_night(self) -> Decimal:
        return money(self.total / self.stay.nights)


def stay_quote(*, room_type: RoomType, rate_plan: RatePlan, stay: Stay) -> StayQuote:
    """Price a stay from rates and say whether it can be booked now (from PostgreSQL)."""
    return stay_quotes(pairs=[(room_type, rate_plan)], stay=stay)[0]


def stay_quotes(*, pairs: list[tuple[RoomType, RatePlan]], stay: Stay) -> list[StayQuote]:
    """``stay_quote`` for many (room type, rate plan) pairs of one stay, in the order given, with
    two queries in all (a hotel page prices every room type under every plan)."""
    if not pairs:
        return []
    dates = stay.dates()
    room_type_ids = {room_type.pk for room_type, _plan in pairs}
    rates: dict[tuple[int, int], dict[date, Rate]] = defaultdict(dict)
    for rate in Rate.objects.filter(
        room_type_id__in=room_type_ids, rate_plan_id__in={plan.pk for _rt, plan in pairs}, date__in=dates
    ):
        rates[rate.room_type_id, rate.rate_plan_id][rate.date] = rate
    nights: dict[int, dict[date, RoomNight]] = defaultdict(dict)
    for night in RoomNight.objects.filter(room_type_id__in=room_type_ids, date__in=[*dates, stay.check_out]):
        nights[night.room_type_id][night.date] = night
    return [
        _priced(room_type=room_type, rate_plan=plan, stay=stay, rates=rates[room_type.pk, plan.pk],
                nights=nights[room_type.pk])
        for room_type, plan in pairs
    ]


def _priced(*, room_type: RoomType, rate_plan: RatePlan, stay: Stay, rates: dict, nights: dict) -> StayQuote:
    prop = room_type.property
    dates = stay.dates()
    reason = unbookable_reason(stay=stay, room_type=room_type, nights=nights, rates=rates)
    night_prices = tuple(
        NightPrice(d, money(rates[d].price_for(stay.guests_per_room) * stay.rooms))
        for d in dates
        if d in rates
    )
    room_total = money(sum((n.amount for n in night_prices), Decimal(0)))
    taxes = money(room_total * prop.tax_percent / 100)
    fees = money(prop.fee_per_night * stay.nights * stay.rooms)
    return StayQuote(
        room_type_id=room_type.pk,
        rate_plan_id=rate_plan.pk,
        stay=stay,
        currency=prop.currency,
        nights=night_prices,
        room_total=room_total,
        taxes=taxes,
        fees=fees,
        total=room_total + taxes + fees,
        bookable=not reason,
        reason=reason,
    )


def unbookable_reason(*, stay: Stay, room_type: RoomType, nights: dict, rates: dict) -> str:
    """Why this stay cannot be sold, in words for the traveller; empty when it can."""
    dates = stay.dates()
    if stay.guests_per_room > room_type.max_occupancy:
        return f"{room_type.name} sleeps at most {room_type.max_occupancy} guests per room."
    if any(d not in rates for d in dates):
        return "No rate is loaded for some of these nights."
    if any(d not in nights for d in dates):
        return "These dates are not on sale yet."
    violation = restriction_violation(stay=stay, first=nights[dates[0]], departure=nights.get(stay.check_out))
    if violation:
        return violation
    for d in dates:
        night = nights[d]
        if night.stop_sell or night.available < stay.rooms:
            return f"Sold out on {d:%d %b %Y}."
    return ""


def availability_by_night(*, room_type_ids: list[int], dates: list[date]) -> dict[tuple[int, date], int]:
    """Rooms sellable per (room type, night), for search and hotel pages (0 on stop-sell).

    Served from the hot cache (Redis in full stack); nights the cache misses are read from
    PostgreSQL and written back with their version. Never used to decide a reservation:
    ``inventory_reserve`` always asks PostgreSQL.
    """
    pairs = [(rt, d) for rt in room_type_ids for d in dates]
    backend = hot_cache()
    try:
        cached = backend.read(pairs)
    except Exception:  # Redis down: the truth is still there
        cached = {}
    found = {pair: rooms for pair, (_version, rooms) in cached.items()}
    missing = [pair for pair in pairs if pair not in found]
    if missing:
        rows = RoomNight.objects.filter(
            room_type_id__in={rt for rt, _d in missing}, date__in={d for _rt, d in missing}
        ).values_list("room_type_id", "date", "version", "available", "stop_sell")
        entries = [(rt, d, version, 0 if stop else available) for rt, d, version, available, stop in rows
                   if (rt, d) not in found]
        found.update({(rt, d): rooms for rt, d, _v, rooms in entries})
        hot_cache_write(entries)
    return found
