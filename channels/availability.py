"""What a listing should show on its channel, read from ``inventory``, as the adapters' Updates.

For every mapped room type × mapped rate plan: the rooms left, the price (the two-guest rate),
min/max length of stay, closed to arrival/departure and stop-sell, per date; consecutive dates
with the same values become one range. Close-outs (nothing left to sell) come first, so that a
push that is cut short has closed what must be closed.
"""
from collections import defaultdict
from datetime import date, timedelta

from channels.adapters.base import Update
from channels.models import Listing
from inventory.models import Rate, RoomNight


def listing_updates(*, listing: Listing, dates: dict[int, list[date]], prices: bool = True) -> list[Update]:
    """Updates for these dates of these room types ({room_type_id: [dates]}), close-outs first.
    Without ``prices`` only availability and restrictions (a booking does not change a rate)."""
    room_codes = dict(listing.room_mappings.values_list("room_type_id", "room_code"))
    rate_codes = dict(listing.rate_mappings.values_list("rate_plan_id", "rate_code"))
    updates: list[Update] = []
    for room_type_id, days in dates.items():
        if room_type_id not in room_codes or not days:
            continue
        nights = {n.date: n for n in RoomNight.objects.filter(room_type_id=room_type_id, date__in=days)}
        amounts = defaultdict(dict)
        if prices:
            for rate in Rate.objects.filter(room_type_id=room_type_id, rate_plan_id__in=rate_codes, date__in=days):
                amounts[rate.rate_plan_id][rate.date] = rate.double
        for rate_plan_id, rate_code in rate_codes.items():
            per_day = [(d, _values(nights[d], amounts[rate_plan_id].get(d))) for d in sorted(days) if d in nights]
            updates += _ranges(room_code=room_codes[room_type_id], rate_code=rate_code, per_day=per_day)
    return sorted(updates, key=lambda u: (u.available != 0, u.room_code, u.rate_code, u.start))


def _values(night: RoomNight, price) -> dict:
    return {
        "available": night.available, "price": price, "min_stay": night.min_stay, "max_stay": night.max_stay,
        "closed_to_arrival": night.closed_to_arrival, "closed_to_departure": night.closed_to_departure,
        "stop_sell": night.stop_sell,
    }


def _ranges(*, room_code: str, rate_code: str, per_day: list[tuple[date, dict]]) -> list[Update]:
    """Consecutive dates with equal values, each as one Update."""
    ranges: list[Update] = []
    start = previous = values = None
    for day, day_values in per_day:
        if values == day_values and previous + timedelta(days=1) == day:
            previous = day
            continue
        if values is not None:
            ranges.append(Update(room_code=room_code, rate_code=rate_code, start=start, end=previous, **values))
        start = previous = day
        values = day_values
    if values is not None:
        ranges.append(Update(room_code=room_code, rate_code=rate_code, start=start, end=previous, **values))
    return ranges


def horizon_dates(*, listing: Listing, start: date) -> dict[int, list[date]]:
    """Every night on sale from ``start`` for each mapped room type: a full resync's scope."""
    room_type_ids = list(listing.room_mappings.values_list("room_type_id", flat=True))
    dates: dict[int, list[date]] = defaultdict(list)
    for room_type_id, day in (RoomNight.objects.filter(room_type_id__in=room_type_ids, date__gte=start)
                              .order_by("room_type_id", "date").values_list("room_type_id", "date")):
        dates[room_type_id].append(day)
    return dict(dates)
