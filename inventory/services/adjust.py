"""Staff edits of a night (total rooms, stop-sell, restrictions) and of its rates.

Each edit names the ``version`` the editor saw. The UPDATE succeeds only if the row still has
that version, so an edit made on a stale screen gets ``VersionConflict`` instead of silently
overwriting what a booking or another editor did meanwhile.
"""
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalogue.models import RoomType
from inventory.changes import change_record
from inventory.errors import VersionConflict
from inventory.models import Rate, RoomNight
from inventory.night_writes import NightWritten
from inventory.stays import MAX_NIGHTS

MAX_ROOMS_PER_NIGHT = 999
RESTRICTION_FIELDS = ("stop_sell", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure")


def inventory_adjust(
    *, room_type: RoomType, night: date, version: int, source: str = "staff",
    total: int | None = None, stop_sell: bool | None = None, min_stay: int | None = None,
    max_stay: int | None = None, closed_to_arrival: bool | None = None, closed_to_departure: bool | None = None,
) -> RoomNight:
    """Change one night as of ``version``; fields left as None stay as they are."""
    changes = {name: value for name, value in {
        "stop_sell": stop_sell, "min_stay": min_stay, "max_stay": max_stay,
        "closed_to_arrival": closed_to_arrival, "closed_to_departure": closed_to_departure,
    }.items() if value is not None}
    if total is not None and not 0 <= total <= MAX_ROOMS_PER_NIGHT:
        raise ValidationError(f"Total rooms must be between 0 and {MAX_ROOMS_PER_NIGHT}.", code="total")
    for name in ("min_stay", "max_stay"):
        if name in changes and not 1 <= changes[name] <= MAX_NIGHTS:
            raise ValidationError(f"Stay lengths must be between 1 and {MAX_NIGHTS} nights.", code=name)
    with transaction.atomic():
        current = RoomNight.objects.filter(room_type=room_type, date=night).first()
        if current is None:
            raise ValidationError(f"{night:%d %b %Y} is not loaded for {room_type.name}.", code="night")
        if changes.get("min_stay", current.min_stay) > changes.get("max_stay", current.max_stay):
            raise ValidationError("Minimum stay cannot be longer than maximum stay.", code="stay_range")
        rows = RoomNight.objects.filter(pk=current.pk, version=version)
        values = {**changes, "version": F("version") + 1, "updated_at": timezone.now()}
        if total is not None:
            # Sold rooms stay sold: the new total must cover them.
            rows = rows.filter(available__gte=F("total") - total)
            values.update(total=total, available=F("available") + total - F("total"))
        if not rows.update(**values):
            fresh = RoomNight.objects.get(pk=current.pk)
            if fresh.version != version:
                raise VersionConflict(
                    f"{night:%d %b %Y} was changed by someone else (now version {fresh.version}, you "
                    f"edited version {version}); reload and try again."
                )
            raise ValidationError(
                f"{fresh.sold} rooms are already sold on {night:%d %b %Y}; total cannot go below that.",
                code="total_below_sold",
            )
        fresh = RoomNight.objects.get(pk=current.pk)
        change_record(room_type=room_type, source=source, written=[NightWritten(
            room_type.pk, night, fresh.version, fresh.available, fresh.stop_sell)])
    return fresh


def inventory_rate_adjust(
    *, rate: Rate, version: int, source: str = "staff", single: Decimal | None = None,
    double: Decimal | None = None, extra_guest: Decimal | None = None,
) -> Rate:
    """Change one night's prices for a rate plan as of ``version``."""
    changes = {name: Decimal(value) for name, value in
               {"single": single, "double": double, "extra_guest": extra_guest}.items() if value is not None}
    for name, value in changes.items():
        if value < 0 or (name != "extra_guest" and value == 0):
            raise ValidationError("Prices must be positive.", code="price")
    with transaction.atomic():
        if not Rate.objects.filter(pk=rate.pk, version=version).update(**changes, version=F("version") + 1):
            raise VersionConflict(f"The rate for {rate.date:%d %b %Y} was changed by someone else; reload and try again.")
        rate.refresh_from_db()
        night = RoomNight.objects.filter(room_type_id=rate.room_type_id, date=rate.date).first()
        if night is not None:  # the event orders by the night's version; rates carry their own
            change_record(room_type=rate.room_type, source=source, rate_plan_id=rate.rate_plan_id,
                          rate_version=rate.version, written=[NightWritten(
                              rate.room_type_id, rate.date, night.version, night.available, night.stop_sell)])
    return rate
