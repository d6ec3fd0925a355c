"""Staff edits of a date range at once: rooms and restrictions of every night, or one plan's prices.

Each is one transaction that locks the range's rows (in date order, as reservations do), checks
every night first, then writes them all with their versions bumped and publishes one
``inventory.changed`` naming every night and its new version. A range that cannot be applied as a
whole (a night not loaded, fewer rooms than already sold) raises ``ValidationError`` and writes
nothing. The range is the nights ``first`` to ``last``, both included.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from catalogue.models import RoomType
from inventory.changes import change_record
from inventory.models import Rate, RatePlan, RoomNight
from inventory.night_writes import NightWritten
from inventory.services.adjust import MAX_ROOMS_PER_NIGHT
from inventory.stays import MAX_NIGHTS

MAX_RANGE_NIGHTS = 366
NIGHT_FIELDS = ("total", "stop_sell", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure")


@dataclass(frozen=True)
class NightChanges:
    """What a range edit sets on every night; None leaves a field as each night has it."""
    total: int | None = None
    stop_sell: bool | None = None
    min_stay: int | None = None
    max_stay: int | None = None
    closed_to_arrival: bool | None = None
    closed_to_departure: bool | None = None

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in NIGHT_FIELDS if getattr(self, name) is not None}


def range_dates(first: date, last: date) -> list[date]:
    if last < first:
        raise ValidationError("The last night cannot be before the first.", code="range_order")
    if (last - first).days >= MAX_RANGE_NIGHTS:
        raise ValidationError(f"A range is at most {MAX_RANGE_NIGHTS} nights.", code="range_length")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def validate_night_changes(changes: NightChanges) -> None:
    if changes.total is not None and not 0 <= changes.total <= MAX_ROOMS_PER_NIGHT:
        raise ValidationError(f"Rooms must be between 0 and {MAX_ROOMS_PER_NIGHT}.", code="total")
    for name in ("min_stay", "max_stay"):
        value = getattr(changes, name)
        if value is not None and not 1 <= value <= MAX_NIGHTS:
            raise ValidationError(f"Stay lengths must be between 1 and {MAX_NIGHTS} nights.", code=name)


def _locked(queryset, dates: list[date], what: str) -> list:
    rows = list(queryset.select_for_update().filter(date__range=(dates[0], dates[-1])).order_by("date"))
    loaded = {r.date for r in rows}
    missing = [d for d in dates if d not in loaded]
    if missing:
        others = len(missing) - 1
        also = f" (nor {others} other {ngettext('night', 'nights', others)})" if others else ""
        raise ValidationError(f"{missing[0]:%d %b %Y} is not loaded for {what}{also}.", code="night")
    return rows


def inventory_range_adjust(*, room_type: RoomType, first: date, last: date, changes: NightChanges,
                           source: str = "staff") -> list[RoomNight]:
    """Set ``changes`` on every night of the range, or on none."""
    dates = range_dates(first, last)
    validate_night_changes(changes)
    values = changes.fields()
    if not values:
        return []
    with transaction.atomic():
        nights = _locked(RoomNight.objects.filter(room_type=room_type), dates, room_type.name)
        for night in nights:
            if values.get("min_stay", night.min_stay) > values.get("max_stay", night.max_stay):
                raise ValidationError(f"{night.date:%d %b %Y}: minimum stay cannot be longer than maximum stay "
                                      f"({night.max_stay}).", code="stay_range")
            if "total" in values and night.sold > values["total"]:
                raise ValidationError(f"{night.sold} rooms are already sold on {night.date:%d %b %Y}; rooms "
                                      f"cannot go below that.", code="total_below_sold")
        update = {**values, "version": F("version") + 1, "updated_at": timezone.now()}
        if "total" in values:
            update["available"] = F("available") + values["total"] - F("total")
        RoomNight.objects.filter(pk__in=[n.pk for n in nights]).update(**update)
        fresh = list(RoomNight.objects.filter(pk__in=[n.pk for n in nights]).order_by("date"))
        change_record(room_type=room_type, source=source, written=[
            NightWritten(room_type.pk, n.date, n.version, n.available, n.stop_sell) for n in fresh])
    return fresh


def inventory_rate_range_adjust(*, room_type: RoomType, rate_plan: RatePlan, first: date, last: date,
                                double: Decimal, single: Decimal | None = None,
                                source: str = "staff") -> list[Rate]:
    """Set the price for two (and for one, when given) of every night of the range, or of none."""
    dates = range_dates(first, last)
    prices = {name: Decimal(value) for name, value in {"double": double, "single": single}.items()
              if value is not None}
    if any(value <= 0 for value in prices.values()):
        raise ValidationError("Prices must be positive.", code="price")
    if rate_plan.property_id != room_type.property_id:
        raise ValidationError("That rate plan is another property's.", code="rate_plan")
    with transaction.atomic():
        rates = _locked(Rate.objects.filter(room_type=room_type, rate_plan=rate_plan), dates,
                        f"{room_type.name} · {rate_plan.name}")
        Rate.objects.filter(pk__in=[r.pk for r in rates]).update(**prices, version=F("version") + 1)
        fresh = list(Rate.objects.filter(pk__in=[r.pk for r in rates]).order_by("date"))
        nights = RoomNight.objects.filter(room_type=room_type, date__range=(dates[0], dates[-1])).order_by("date")
        change_record(room_type=room_type, source=source, rate_plan_id=rate_plan.pk,
                      rate_versions=[r.version for r in fresh], written=[
                          NightWritten(room_type.pk, n.date, n.version, n.available, n.stop_sell) for n in nights])
    return fresh
