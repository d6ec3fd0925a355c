"""The reserve benchmark's floor (bench/reserve_floor.py) writes what inventory_reserve() writes.

bench/inventory_reserve.py and bench/cpu_profile.py compare reserve() with it; the comparison is
only fair if the floor does the same work: the same rows in the same tables, the outbox row
handed over, the night taken the same way and the hot cache written with what was committed.
"""
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from bench.reserve_floor import PsycopgReserve
from core import relay
from inventory.cache import hot_cache
from inventory.models import RoomNight
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.factories import sellable_room_type

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TABLES = ("inventory.Hold", "inventory.HoldNight", "core.OutboxMessage")


def _rows() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in TABLES}


def _what_it_did(room_type, night, reserve) -> dict:
    before = _rows()
    reserve()
    relay.flush()  # reserve()'s outbox row is handed over by this process's relay thread
    after = _rows()
    row = RoomNight.objects.get(room_type=room_type, date=night)
    outbox = apps.get_model("core.OutboxMessage").objects.order_by("-pk").first()
    return {
        "rows": {label: after[label] - before[label] for label in TABLES},
        "night": (row.available, row.version),
        "cached": hot_cache().read([(room_type.pk, night)])[(room_type.pk, night)],
        "outbox": (outbox.topic, outbox.published_at is not None, sorted(outbox.payload)),
    }


def test_the_floor_writes_the_rows_reserve_writes_and_takes_the_night_the_same_way():
    room_type, _, _ = sellable_room_type(total=5, days=30)
    ours, theirs = (timezone.localdate() + timedelta(days=d) for d in (10, 20))
    floor = PsycopgReserve()
    try:
        placed = _what_it_did(room_type, ours, lambda: inventory_reserve(
            room_type=room_type, stay=Stay(ours, ours + timedelta(days=1)), source="bench"))
        floored = _what_it_did(room_type, theirs, lambda: floor.reserve(room_type=room_type, night_date=theirs))
    finally:
        floor.conn.close()

    assert floored == placed
    assert placed["rows"] == {"inventory.Hold": 1, "inventory.HoldNight": 1, "core.OutboxMessage": 1}
    assert placed["night"] == (4, 2) and placed["cached"] == (2, 4)  # (available, version), (version, available)
    assert placed["outbox"][:2] == ("inventory.changed", True)


def test_the_floor_refuses_a_night_without_rooms_and_writes_nothing():
    room_type, _, _ = sellable_room_type(total=5, days=30)
    night = timezone.localdate() + timedelta(days=10)
    RoomNight.objects.filter(room_type=room_type, date=night).update(available=0)
    before = _rows()
    floor = PsycopgReserve()
    try:
        with pytest.raises(RuntimeError, match="sold out"):
            floor.reserve(room_type=room_type, night_date=night)
    finally:
        floor.conn.close()

    assert _rows() == before
