"""Real concurrent writers on PostgreSQL: the last room is sold once, whatever arrives when.

Each writer is a thread with its own database connection (closed at the thread's end). The
negative control switches the guard off (a naive read-then-write) and shows the oversell, so
the positive test is known to be able to fail.
"""
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from inventory import night_writes
from inventory.cache import hot_cache
from inventory.errors import Busy, InventoryError, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.services import inventory_release, inventory_reserve
from inventory.stays import Stay
from tests.concurrency import row_locked, run_concurrently
from tests.factories import sellable_room_type

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SOURCES = ("direct", "booking_com", "expedia", "agoda", "airbnb", "trip_com")



def stay_from(days_ahead: int, nights: int, rooms: int = 1) -> Stay:
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return Stay(check_in, check_in + timedelta(days=nights), rooms=rooms, guests=rooms)


def fifty_writers_for_the_last_room():
    room_type, _, _ = sellable_room_type(total=1, days=10)
    stay = stay_from(3, 2)
    results = run_concurrently(50, lambda i: inventory_reserve(
        room_type=room_type, stay=stay, source=SOURCES[i % 6], reference=f"last-room-{i}"))
    nights = list(RoomNight.objects.filter(room_type=room_type, date__in=stay.dates()))
    return results, nights


def test_fifty_concurrent_writers_for_the_last_room_exactly_one_wins():
    results, nights = fifty_writers_for_the_last_room()

    winners = [r for r in results if isinstance(r, Hold)]
    refused = [r for r in results if isinstance(r, InventoryError)]
    assert len(winners) == 1
    assert len(refused) == 49 and all(isinstance(r, (SoldOut, Busy)) for r in refused)
    assert [n.available for n in nights] == [0, 0]
    assert Hold.objects.filter(status=Hold.Status.HELD).count() == 1


def test_negative_control_without_the_guard_the_last_room_is_sold_twice(monkeypatch):
    # given: the guard switched off (read the count, then write the computed value back)
    monkeypatch.setattr(night_writes, "ACTIVE", night_writes.NAIVE)

    results, nights = fifty_writers_for_the_last_room()

    # then: several writers "won" the one room; the count still says 0, so nobody noticed
    winners = [r for r in results if isinstance(r, Hold)]
    assert len(winners) > 1, "the race did not show; the negative control proves nothing this run"
    assert [n.available for n in nights] == [0, 0]


def test_storm_of_overlapping_stays_from_six_sources_keeps_every_count_true():
    # given: 5 rooms over 14 nights, six channels booking and cancelling overlapping stays
    room_type, _, _ = sellable_room_type(total=5, days=20)
    rng = random.Random(20261123)
    plans = [[(rng.randint(1, 10), rng.randint(1, 4), rng.randint(1, 2), rng.random() < 0.3) for _ in range(25)]
             for _ in SOURCES]

    def channel(i):
        outcomes = Counter()
        for step, (start, nights, rooms, cancel) in enumerate(plans[i]):
            try:
                hold = inventory_reserve(room_type=room_type, stay=stay_from(start, nights, rooms),
                                         source=SOURCES[i], reference=f"{SOURCES[i]}-{step}")
                outcomes["held"] += 1
                if cancel:
                    assert inventory_release(hold=hold) is True
                    outcomes["cancelled"] += 1
            except InventoryError as exc:
                outcomes[exc.code] += 1
        return outcomes

    # when
    results = run_concurrently(len(SOURCES), channel)

    # then
    assert all(isinstance(r, Counter) for r in results), results
    totals = sum(results, Counter())
    assert totals["held"] > 20 and totals["sold_out"] > 0  # the storm really competed for rooms
    held_nights = Counter()
    for hold in Hold.objects.filter(status=Hold.Status.HELD).prefetch_related("nights__room_night"):
        dates = sorted(hn.room_night.date for hn in hold.nights.all())
        assert dates == [hold.check_in + timedelta(days=i) for i in range((hold.check_out - hold.check_in).days)]
        assert all(hn.rooms == hold.rooms for hn in hold.nights.all())
        for hn in hold.nights.all():
            held_nights[hn.room_night_id] += hn.rooms
    nights = list(RoomNight.objects.filter(room_type=room_type))
    for night in nights:
        assert 0 <= night.available <= night.total
        assert night.total - night.available == held_nights[night.pk], night
    # every change bumped the version: one per reservation night and one per released night
    changes = HoldNight.objects.filter(hold__room_type=room_type).count() + HoldNight.objects.filter(
        hold__room_type=room_type, hold__status=Hold.Status.RELEASED).count()
    assert sum(n.version - 1 for n in nights) == changes
    # the write-through cache, written after commit in whatever order, ends at the truth
    cached = hot_cache().read([(room_type.pk, n.date) for n in nights])
    for night in nights:
        if (room_type.pk, night.date) in cached:
            assert cached[(room_type.pk, night.date)] == (night.version, night.available)


def test_a_writer_that_cannot_get_the_night_in_time_is_told_busy_and_writes_nothing():
    # given: another transaction holds the night's row lock for longer than reserve() waits
    room_type, _, _ = sellable_room_type(total=3, days=6)
    stay = stay_from(2, 1)
    with row_locked(RoomNight.objects.filter(room_type=room_type, date=stay.check_in)):
        # when / then
        with pytest.raises(Busy, match="try again"):
            inventory_reserve(room_type=room_type, stay=stay, source="expedia", reference="busy-1")
    assert not Hold.objects.filter(reference="busy-1").exists()
    assert RoomNight.objects.get(room_type=room_type, date=stay.check_in).available == 3
