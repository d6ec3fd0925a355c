"""Reserve and release: the only code that takes rooms and gives them back.

``inventory_reserve`` takes every night of a stay or none, in one transaction, touching nights in
date order (so two stays never deadlock). The outbox event is written first, then the Hold, its
HoldNights and the night UPDATEs (one statement on PostgreSQL, ``night_writes.hold_and_take``), so
each night's row lock is held only from its UPDATE to the commit. Each night is
one guarded UPDATE (``inventory.night_writes``); when a writer cannot get a night's row lock in
time (or the database reports a deadlock or serialization failure), the whole attempt is rolled
back and retried with jittered exponential backoff, and after ``MAX_ATTEMPTS`` the caller gets
``Busy`` (``inventory.services.retries``).
"""
import uuid
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalogue.models import RoomType
from core import metrics
from core.outbox import outbox_event_params, outbox_event_written, outbox_publish
from inventory import night_writes
from inventory.changes import cache_after_commit, change_announce, change_event
from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.night_writes import NightRead, NightWritten, Refused
from inventory.restrictions import restriction_violation
from inventory.services.retries import LOCK_TIMEOUT_MS, TryAgain, limit_lock_wait, stats, with_retries
from inventory.stays import Stay, validate_stay

__all__ = ["inventory_release", "inventory_reserve", "stats"]


class _NightRow(NamedTuple):
    """A night as reserve reads it on PostgreSQL: what the decision needs, no model instance."""

    pk: int
    date: date
    total: int
    available: int
    version: int
    stop_sell: bool
    min_stay: int
    max_stay: int
    closed_to_arrival: bool
    closed_to_departure: bool


@metrics.refusals_counted(metrics.INVENTORY_RESERVE_REFUSALS)
def inventory_reserve(*, room_type: RoomType, stay: Stay, source: str, reference: str = "") -> Hold:
    """Hold ``stay.rooms`` rooms of ``room_type`` for every night of ``stay``, or raise
    SoldOut / RestrictionViolated / Busy (after retries), or ValidationError for bad input."""
    if not source:
        raise ValidationError("A reservation needs its source (the sales channel).", code="source")
    if not isinstance(stay, Stay):
        raise ValidationError("A reservation needs a Stay.", code="stay")
    validate_stay(stay.check_in, stay.check_out, rooms=stay.rooms, guests=stay.guests,
                  today=room_type.property.local_today())  # the hotel's date, whatever the caller checked
    reference = reference or uuid.uuid4().hex
    return with_retries(lambda: _reserve_once(room_type=room_type, stay=stay, source=source,
                                               reference=reference))


def inventory_release(*, hold: Hold) -> bool:
    """Give back exactly the nights ``hold`` took. Idempotent: False if already released."""
    released = with_retries(lambda: _release_once(hold=hold))
    if released:
        hold.refresh_from_db()
    return released


# --- one attempt ------------------------------------------------------------------------------

def _reserve_once(*, room_type: RoomType, stay: Stay, source: str, reference: str) -> Hold:
    try:
        return _reserve_in_transaction(room_type=room_type, stay=stay, source=source, reference=reference)
    except IntegrityError as exc:
        if "reference" not in str(exc):
            raise
        raise ValidationError(f"Reference {reference} is already used.", code="reference") from None


def _reserve_in_transaction(*, room_type: RoomType, stay: Stay, source: str, reference: str) -> Hold:
    with transaction.atomic():
        nights = _sellable_nights(room_type=room_type, stay=stay)  # also bounds the lock wait
        event = change_event(room_type=room_type, dates=stay.dates(), source=source, reference=reference)
        # The night UPDATEs come last: each row lock is held only from its UPDATE to the commit.
        if connection.vendor == "postgresql" and night_writes.ACTIVE == night_writes.GUARD:
            hold, written = _hold_and_take(room_type=room_type, stay=stay, source=source, reference=reference,
                                           nights=nights, event=event)
        else:
            outbox_publish(**event)
            hold, written = _hold_then_take(room_type=room_type, stay=stay, source=source, reference=reference,
                                            nights=nights)
        cache_after_commit(written)
    if any(w.collided for w in written):
        stats.add("collisions")
    return hold


def _hold_and_take(*, room_type: RoomType, stay: Stay, source: str, reference: str,
                   nights: list[_NightRow], event: dict) -> tuple[Hold, list[NightWritten]]:
    """The hot path: the ``inventory.changed`` outbox row, hold, hold nights and the guarded
    night UPDATEs in one statement."""
    now = timezone.now()
    try:
        taken = night_writes.hold_and_take(
            nights=[_read(night, room_type) for night in nights], reference=reference, source=source,
            rooms=stay.rooms, check_in=stay.check_in, check_out=stay.check_out, now=now,
            event=outbox_event_params(**event, now=now))
    except Refused as refused:
        night = next(n for n in nights if n.date == refused.args[0])
        raise _why_refused(room_type=room_type, stay=stay, night=night) from None
    outbox_event_written(message_id=taken.message_id)
    # The row the statement inserted, as the ORM would have loaded it (no query).
    fields = [f.attname for f in Hold._meta.concrete_fields]
    row = {"id": taken.hold_id, "reference": reference, "room_type_id": room_type.pk, "check_in": stay.check_in,
           "check_out": stay.check_out, "rooms": stay.rooms, "source": source, "status": Hold.Status.HELD,
           "created_at": now, "released_at": None}
    hold = Hold.from_db(connection.alias, fields, [row[name] for name in fields])
    hold.room_type = room_type
    return hold, taken.nights


def _hold_then_take(*, room_type: RoomType, stay: Stay, source: str, reference: str,
                    nights: list[RoomNight]) -> tuple[Hold, list[NightWritten]]:
    """Statement by statement: the embedded mode (SQLite), and the strategies measured against the
    guard (``night_writes.VERSION``, ``FOR_UPDATE``, ``NAIVE``)."""
    hold = Hold.objects.create(
        reference=reference, room_type=room_type, check_in=stay.check_in,
        check_out=stay.check_out, rooms=stay.rooms, source=source,
    )
    HoldNight.objects.bulk_create(HoldNight(hold=hold, room_night_id=n.pk, rooms=stay.rooms) for n in nights)
    written = []
    for index, night in enumerate(nights):
        try:
            written.append(night_writes.take_night(
                night=_read(night, room_type), rooms=stay.rooms, stay_nights=stay.nights if index == 0 else None,
            ))
        except Refused:
            raise _why_refused(room_type=room_type, stay=stay, night=night) from None
    return hold, written


def _read(night: RoomNight, room_type: RoomType) -> NightRead:
    return NightRead(night.pk, room_type.pk, night.date, night.version, night.available)


def _release_once(*, hold: Hold) -> bool:
    with transaction.atomic():
        limit_lock_wait()
        released = Hold.objects.filter(pk=hold.pk, status=Hold.Status.HELD).update(
            status=Hold.Status.RELEASED, released_at=timezone.now()
        )
        if not released:
            return False
        hold_nights = list(HoldNight.objects.filter(hold_id=hold.pk).order_by("room_night__date")
                           .values_list("room_night_id", "room_night__date", "rooms"))
        change_announce(room_type=hold.room_type, dates=[d for _pk, d, _r in hold_nights], source=hold.source,
                        reference=hold.reference, released=True)
        written = [
            night_writes.give_back_night(pk=pk, room_type_id=hold.room_type_id, night_date=night_date, rooms=rooms)
            for pk, night_date, rooms in hold_nights
        ]
        cache_after_commit(written)
    return True


def _sellable_nights(*, room_type: RoomType, stay: Stay) -> list[RoomNight | _NightRow]:
    """The stay's nights in date order, once restrictions and a first look at availability allow it."""
    if connection.vendor == "postgresql":
        rows = _nights_bounding_lock_wait(room_type=room_type, stay=stay)
    else:
        rows = RoomNight.objects.filter(room_type=room_type, date__in=[*stay.dates(), stay.check_out])
    by_date = {night.date: night for night in rows}
    nights = [by_date[d] for d in stay.dates() if d in by_date]
    if len(nights) != stay.nights:
        raise SoldOut("These dates are not on sale.")
    violation = restriction_violation(stay=stay, first=nights[0], departure=by_date.get(stay.check_out))
    if violation:
        raise RestrictionViolated(violation)
    for night in nights:
        if night.stop_sell or night.available < stay.rooms:
            raise SoldOut(f"Sold out on {night.date:%d %b %Y}.")
    return nights


_NIGHTS_READ = (
    "SELECT id, date, total, available, version, stop_sell, min_stay, max_stay, closed_to_arrival, "
    "closed_to_departure, set_config('lock_timeout', %s, true) "
    "FROM inventory_roomnight WHERE room_type_id = %s AND date >= %s AND date <= %s"
)


def _nights_bounding_lock_wait(*, room_type: RoomType, stay: Stay) -> list[_NightRow]:
    """The stay's nights and its departure night, read with one plain statement that also sets
    the transaction-local ``lock_timeout`` (the hot path: no queryset to compile, no model
    instances built)."""
    with connection.cursor() as cursor:
        cursor.execute(_NIGHTS_READ, [f"{LOCK_TIMEOUT_MS}ms", room_type.pk, stay.check_in, stay.check_out])
        return [_NightRow(*row[:-1]) for row in cursor.fetchall()]  # the last column: set_config's answer


def _why_refused(*, room_type: RoomType, stay: Stay, night: RoomNight) -> Exception:
    """The guard did not hold: re-read the night (committed state) and say why."""
    fresh = RoomNight.objects.get(pk=night.pk)
    if fresh.stop_sell or fresh.available < stay.rooms:
        return SoldOut(f"Sold out on {night.date:%d %b %Y}.")
    if night.date == stay.check_in:
        departure = RoomNight.objects.filter(room_type=room_type, date=stay.check_out).first()
        violation = restriction_violation(stay=stay, first=fresh, departure=departure)
        if violation:
            return RestrictionViolated(violation)
    return TryAgain()  # only the strict version compare gets here: the night changed, still sellable
