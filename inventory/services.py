"""The only writers of availability.

``inventory_reserve`` takes every night of a stay or none, in one transaction, in date order.
Each night is one conditional UPDATE that bumps ``version`` and succeeds only while the guard
holds; zero rows changed means the night is gone and the whole stay rolls back.
"""
import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.restrictions import restriction_violation
from inventory.stays import Stay
from travel.models import RoomType


def inventory_reserve(*, room_type: RoomType, stay: Stay, source: str, reference: str = "") -> Hold:
    """Hold ``stay.rooms`` rooms of ``room_type`` for every night of ``stay``, or raise."""
    with transaction.atomic():
        nights = _check_restrictions(room_type=room_type, stay=stay)
        for night in nights:
            taken = RoomNight.objects.filter(
                pk=night.pk, available__gte=stay.rooms, stop_sell=False
            ).update(available=F("available") - stay.rooms, version=F("version") + 1, updated_at=timezone.now())
            if not taken:
                raise SoldOut(f"Sold out on {night.date:%d %b %Y}.")
        hold = Hold.objects.create(
            reference=reference or uuid.uuid4().hex,
            room_type=room_type,
            check_in=stay.check_in,
            check_out=stay.check_out,
            rooms=stay.rooms,
            source=source,
        )
        HoldNight.objects.bulk_create(HoldNight(hold=hold, room_night=n, rooms=stay.rooms) for n in nights)
    return hold


def inventory_release(*, hold: Hold) -> bool:
    """Give back exactly the nights ``hold`` took. Idempotent: False if already released."""
    with transaction.atomic():
        released = Hold.objects.filter(pk=hold.pk, status=Hold.Status.HELD).update(
            status=Hold.Status.RELEASED, released_at=timezone.now()
        )
        if not released:
            return False
        for hold_night in HoldNight.objects.filter(hold=hold).order_by("room_night__date"):
            RoomNight.objects.filter(pk=hold_night.room_night_id).update(
                available=F("available") + hold_night.rooms, version=F("version") + 1, updated_at=timezone.now()
            )
    hold.refresh_from_db()
    return True


def _check_restrictions(*, room_type: RoomType, stay: Stay) -> list[RoomNight]:
    """The stay's nights in date order, once its restrictions allow it (one query)."""
    rows = RoomNight.objects.filter(room_type=room_type, date__in=[*stay.dates(), stay.check_out]).order_by("date")
    by_date = {night.date: night for night in rows}
    nights = [by_date[d] for d in stay.dates() if d in by_date]
    if len(nights) != stay.nights:
        raise SoldOut("These dates are not on sale.")
    violation = restriction_violation(stay=stay, first=nights[0], departure=by_date.get(stay.check_out))
    if violation:
        raise RestrictionViolated(violation)
    return nights
