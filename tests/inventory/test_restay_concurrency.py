"""A modification that needs the last room of a night races new reservations for that night,
on real PostgreSQL with one connection per writer: the room is sold once, whoever wins.

The negative control switches the guard off (``night_writes.NAIVE``, as in test_concurrency.py);
restay takes its nights through the same ``take_night``, so the oversell shows again.
"""
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import night_writes
from inventory.errors import Busy, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.services import inventory_reserve, inventory_restay
from inventory.stays import Stay
from tests.concurrency import run_concurrently
from tests.factories import sellable_room_type

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 30
# Seconds the new reservations start after the modification, one race each. With 30 threads
# sharing the interpreter a modification needs 20-50 ms on a loaded machine: it loses the first
# races, the middle ones go either way, and it wins the last.
HEAD_STARTS = (0, 0.005, 0.02, 0.05, 0.1, 0.3)


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def race_for_the_last_room_of_day_5(*, head_start: float = 0):
    """One room a night; a hold has days 3-4 and wants to extend to day 5, while WRITERS - 1 new
    reservations want day 5 too, starting ``head_start`` seconds after it (a modification does
    more work before it reaches the night, so with no head start it nearly always loses).
    Returns (room type, hold, restay's result, the reservations' results)."""
    room_type, _, _ = sellable_room_type(total=1, days=10)
    hold = inventory_reserve(room_type=room_type, stay=Stay(day(3), day(5), guests=1), source="booking_com",
                             reference=f"BK-EXT-{room_type.pk}")

    def writer(i):
        if i == 0:
            return inventory_restay(hold=Hold.objects.get(pk=hold.pk), room_type=room_type,
                                    stay=Stay(day(3), day(6), guests=1))
        time.sleep(head_start)
        return inventory_reserve(room_type=room_type, stay=Stay(day(5), day(6), guests=1), source="agoda",
                                 reference=f"AG-{room_type.pk}-{i}")

    results = run_concurrently(WRITERS, writer)
    hold.refresh_from_db()
    return room_type, hold, results[0], results[1:]


def test_a_modification_and_new_reservations_for_the_last_room_sell_it_once():
    outcomes = Counter()
    for head_start in HEAD_STARTS:
        room_type, hold, restayed, reserved = race_for_the_last_room_of_day_5(head_start=head_start)
        extended = isinstance(restayed, Hold)
        outcomes["modification won" if extended else "a reservation won"] += 1

        # exactly one winner for day 5; every loser was told sold out (or busy), nothing else
        winners = [r for r in [restayed, *reserved] if isinstance(r, Hold)]
        losers = [r for r in [restayed, *reserved] if not isinstance(r, Hold)]
        assert len(winners) == 1, (head_start, winners)
        assert all(isinstance(r, (SoldOut, Busy)) for r in losers), losers
        # the hold is exactly one of its two stays, and its nights match it
        assert (hold.check_in, hold.check_out) == (day(3), day(6) if extended else day(5))
        assert sorted(hn.room_night.date for hn in hold.nights.select_related("room_night")) == [
            day(3), day(4), *([day(5)] if extended else [])]
        assert_sold_is_what_live_holds_have(room_type)
        assert RoomNight.objects.get(room_type=room_type, date=day(5)).available == 0
    # both sides of the race were really run
    assert set(outcomes) == {"modification won", "a reservation won"}, outcomes


def assert_sold_is_what_live_holds_have(room_type) -> None:
    held = Counter()
    for hn in HoldNight.objects.filter(hold__room_type=room_type, hold__status=Hold.Status.HELD):
        held[hn.room_night_id] += hn.rooms
    for night in RoomNight.objects.filter(room_type=room_type):
        assert 0 <= night.available <= night.total
        assert night.total - night.available == held[night.pk], night


def test_negative_control_without_the_guard_the_last_room_is_sold_twice(monkeypatch):
    # given: the guard switched off (read the count, then write the computed value back)
    monkeypatch.setattr(night_writes, "ACTIVE", night_writes.NAIVE)

    room_type, hold, restayed, reserved = race_for_the_last_room_of_day_5()

    # then: more rooms are held on day 5 than it has, while its count still says 0
    night = RoomNight.objects.get(room_type=room_type, date=day(5))
    held = sum(HoldNight.objects.filter(room_night=night, hold__status=Hold.Status.HELD).values_list("rooms", flat=True))
    assert held > night.total, "the race did not show; the negative control proves nothing this run"
    assert night.available == 0
