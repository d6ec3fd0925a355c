"""Restay: a reservation's new stay replaces its old one, in one step, on the same hold.

Why not release then reserve: between the two another writer could take a night the guest
already had, and every night would be written twice (new versions, cache writes and channel
pushes for nights whose availability never changed). Instead the rooms the hold has on each
night are compared with the rooms the new stay needs there, night by night:

- more rooms needed (a night only in the new stay, a higher room count, or every night of a new
  room type): the difference is taken with reserve's guarded UPDATE (``night_writes.take_night``);
- fewer (a night only in the old stay, a lower count, every night of the old room type): the
  difference is given back (``night_writes.give_back_night``);
- the same: the night is not written at all, its version stays as it was.

Everything happens in one transaction that first locks the hold row (so a cancellation or
another modification of the same hold waits, then sees the outcome), then writes the hold, its
hold nights and the ``inventory.changed`` events, and touches the nights last, in date order,
like reserve (so row locks are short and two writers never deadlock). If any night cannot be
taken the whole transaction rolls back: the old hold and every night stay exactly as they were.
Lock waits are bounded and retried like reserve (``inventory.services.retries``).

The restrictions of the new stay are checked on what is read (arrival, departure, length of
stay); the first night's arrival rules are also part of the guard when that night is taken. A
night the hold keeps is not checked again for stop-sell or availability: its rooms are already
the guest's.
"""
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from catalogue.models import RoomType
from inventory import night_writes
from inventory.changes import cache_after_commit, change_announce
from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.night_writes import NightRead, NightWritten, Refused
from inventory.restrictions import restriction_violation
from inventory.services.retries import TryAgain, limit_lock_wait, stats, with_retries
from inventory.stays import Stay, validate_stay


@dataclass(frozen=True)
class NightChange:
    """How many rooms of one night the hold gains (positive) or gives back (negative)."""

    night: RoomNight
    rooms: int


def inventory_restay(*, hold: Hold, room_type: RoomType, stay: Stay) -> Hold:
    """Make ``hold`` cover ``stay`` (``stay.rooms`` rooms of ``room_type``), or change nothing and
    raise SoldOut / RestrictionViolated / Busy (after retries), or ValidationError (bad input, a
    released hold). Returns the same hold, updated; ``hold`` itself is refreshed too."""
    if not isinstance(stay, Stay):
        raise ValidationError("A modification needs a Stay.", code="stay")
    validate_stay(stay.check_in, stay.check_out, rooms=stay.rooms, guests=stay.guests,
                  today=room_type.property.local_today())  # the hotel's date, whatever the caller checked
    restayed = with_retries(lambda: _restay_once(hold=hold, room_type=room_type, stay=stay))
    hold.refresh_from_db()
    return restayed


def _restay_once(*, hold: Hold, room_type: RoomType, stay: Stay) -> Hold:
    with transaction.atomic():
        limit_lock_wait()  # the hold row and the nights alike
        current = _locked_held_hold(hold=hold, room_type=room_type)
        old_room_type = current.room_type
        wanted = _wanted_nights(room_type=room_type, stay=stay)
        changes = night_changes(held=_held_rooms(current), wanted={n.pk: (n, stay.rooms) for n in wanted})
        for change in changes:  # a first look, before anything is written
            if change.rooms > 0 and not _can_take(change.night, change.rooms):
                raise SoldOut(f"Sold out on {change.night.date:%d %b %Y}.")
        _rewrite_hold(hold=current, room_type=room_type, stay=stay, nights=wanted)
        _announce(hold=current, old_room_type=old_room_type, new_room_type=room_type, changes=changes)
        # The night UPDATEs come last: each row lock is held only from its UPDATE to the commit.
        written = [_apply(change, stay=stay, first_night=wanted[0]) for change in changes]
        cache_after_commit(written)
    if any(w.collided for w in written):
        stats.add("collisions")
    return current


def _locked_held_hold(*, hold: Hold, room_type: RoomType) -> Hold:
    """The hold, row-locked until commit, if it still holds its nights (else nothing to modify)."""
    current = Hold.objects.select_for_update(of=("self",)).select_related("room_type").get(pk=hold.pk)
    if current.status != Hold.Status.HELD:
        raise ValidationError(f"Reservation {current.reference} was already released (cancelled); "
                              "a released reservation cannot be modified.", code="released")
    if room_type.property_id != current.room_type.property_id:
        raise ValidationError("A modification stays at the same hotel; another hotel is a new reservation.",
                              code="property")
    return current


def _held_rooms(hold: Hold) -> dict[int, tuple[RoomNight, int]]:
    """What the hold has now, per night (from its hold nights: exactly what it took)."""
    return {hn.room_night_id: (hn.room_night, hn.rooms)
            for hn in HoldNight.objects.filter(hold=hold).select_related("room_night")}


def _wanted_nights(*, room_type: RoomType, stay: Stay) -> list[RoomNight]:
    """The new stay's nights in date order, once they are on sale and the restrictions allow the stay."""
    rows = RoomNight.objects.filter(room_type=room_type, date__in=[*stay.dates(), stay.check_out])
    by_date = {night.date: night for night in rows}
    nights = [by_date[d] for d in stay.dates() if d in by_date]
    if len(nights) != stay.nights:
        raise SoldOut("These dates are not on sale.")
    violation = restriction_violation(stay=stay, first=nights[0], departure=by_date.get(stay.check_out))
    if violation:
        raise RestrictionViolated(violation)
    return nights


def night_changes(*, held: dict[int, tuple[RoomNight, int]],
                  wanted: dict[int, tuple[RoomNight, int]]) -> list[NightChange]:
    """Per night, the rooms wanted minus the rooms held; nights with no difference are left out.
    In (date, room type) order: the one order every writer of nights locks them in."""
    changes = []
    for pk in held.keys() | wanted.keys():
        night = (wanted.get(pk) or held[pk])[0]
        rooms = wanted.get(pk, (night, 0))[1] - held.get(pk, (night, 0))[1]
        if rooms:
            changes.append(NightChange(night, rooms))
    return sorted(changes, key=lambda c: (c.night.date, c.night.room_type_id))


def _can_take(night: RoomNight, rooms: int) -> bool:
    return not night.stop_sell and night.available >= rooms


def _rewrite_hold(*, hold: Hold, room_type: RoomType, stay: Stay, nights: list[RoomNight]) -> None:
    """The same hold row now describes the new stay; its hold nights are exactly the new nights."""
    hold.room_type, hold.check_in, hold.check_out, hold.rooms = room_type, stay.check_in, stay.check_out, stay.rooms
    hold.save(update_fields=["room_type", "check_in", "check_out", "rooms"])
    HoldNight.objects.filter(hold=hold).delete()
    HoldNight.objects.bulk_create(HoldNight(hold=hold, room_night_id=n.pk, rooms=stay.rooms) for n in nights)


def _announce(*, hold: Hold, old_room_type: RoomType, new_room_type: RoomType, changes: list[NightChange]) -> None:
    """One ``inventory.changed`` per room type, naming every night whose availability changes
    (taken and given back alike)."""
    dates = defaultdict(list)
    for change in changes:
        dates[change.night.room_type_id].append(change.night.date)
    for room_type in {old_room_type.pk: old_room_type, new_room_type.pk: new_room_type}.values():
        if dates[room_type.pk]:
            change_announce(room_type=room_type, dates=dates[room_type.pk], source=hold.source,
                            reference=hold.reference, modified=True)


def _apply(change: NightChange, *, stay: Stay, first_night: RoomNight) -> NightWritten:
    night = change.night
    if change.rooms < 0:
        return night_writes.give_back_night(pk=night.pk, room_type_id=night.room_type_id, night_date=night.date,
                                            rooms=-change.rooms)
    is_first = night.pk == first_night.pk
    try:
        return night_writes.take_night(
            night=NightRead(night.pk, night.room_type_id, night.date, night.version, night.available),
            rooms=change.rooms, stay_nights=stay.nights if is_first else None,
        )
    except Refused:
        raise _why_refused(change, stay=stay, is_first=is_first) from None


def _why_refused(change: NightChange, *, stay: Stay, is_first: bool) -> Exception:
    """The guard did not hold: re-read the night (committed state) and say why."""
    fresh = RoomNight.objects.get(pk=change.night.pk)
    if not _can_take(fresh, change.rooms):
        return SoldOut(f"Sold out on {fresh.date:%d %b %Y}.")
    if is_first:
        departure = RoomNight.objects.filter(room_type_id=fresh.room_type_id, date=stay.check_out).first()
        violation = restriction_violation(stay=stay, first=fresh, departure=departure)
        if violation:
            return RestrictionViolated(violation)
    return TryAgain()  # only the strict version compare gets here: the night changed, still sellable
