"""The reservation's hot path on PostgreSQL: hold, hold nights and the guarded night UPDATEs in
one statement, after the ``inventory.changed`` row; all nights or none when a night is taken by
another writer between the read and the write."""
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import OutboxMessage
from inventory.cache import hot_cache
from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.services import inventory_reserve
from inventory.services import reserve as reserve_module
from inventory.stays import Stay
from tests.factories import sellable_room_type

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def stay_from(days_ahead: int, nights: int, rooms: int = 1) -> Stay:
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return Stay(check_in, check_in + timedelta(days=nights), rooms=rooms, guests=rooms)


def nights_of(room_type, stay):
    return list(RoomNight.objects.filter(room_type=room_type, date__in=stay.dates()).order_by("date")
                .values_list("available", "version"))


def other_connection_runs(monkeypatch, sql: str, params: list) -> None:
    """Run ``sql`` on a second connection (committed) right after reserve() read the nights."""
    real = reserve_module.change_event  # built between the read and the write
    params_db = connection.get_connection_params()

    def event_then_interfere(**kwargs):
        event = real(**kwargs)
        with psycopg.connect(**{k: v for k, v in params_db.items() if k != "cursor_factory"},
                             autocommit=True) as other:
            other.execute(sql, params)
        return event

    monkeypatch.setattr(reserve_module, "change_event", event_then_interfere)


def test_the_event_the_hold_its_nights_and_the_night_updates_are_one_statement():
    room_type, _, _ = sellable_room_type(total=3, days=10)
    stay = stay_from(2, 3, rooms=2)

    with CaptureQueriesContext(connection) as queries:
        hold = inventory_reserve(room_type=room_type, stay=stay, source="direct", reference="one-statement")

    inside = [q["sql"] for q in queries.captured_queries]
    writes = [i for i, sql in enumerate(inside) if "inventory_roomnight" in sql and "UPDATE" in sql]
    assert len(writes) == 1, "every night is written by one statement"
    assert "INSERT INTO inventory_hold " in inside[writes[0]] and "inventory_holdnight" in inside[writes[0]]
    assert [i for i, sql in enumerate(inside) if "INSERT INTO" in sql and "travel_outboxmessage" in sql] == writes, \
        "the inventory.changed row is written by the same statement (no round trip of its own)"
    assert [sql.split()[0] for sql in inside] == ["BEGIN", "SELECT", "WITH", "COMMIT"]
    # what a caller and a reader notice
    assert Hold.objects.get(pk=hold.pk).reference == "one-statement"
    assert hold.status == Hold.Status.HELD and hold.nights.count() == 3
    assert set(HoldNight.objects.filter(hold=hold).values_list("rooms", flat=True)) == {2}
    assert nights_of(room_type, stay) == [(1, 2), (1, 2), (1, 2)]
    assert OutboxMessage.objects.filter(topic="inventory.changed", payload__reference="one-statement").exists()
    cached = hot_cache().read([(room_type.pk, d) for d in stay.dates()])
    assert sorted(cached.values()) == [(2, 1)] * 3


def test_a_night_sold_between_the_read_and_the_write_rolls_back_every_night_and_the_hold(monkeypatch):
    # given: another writer takes the last room of the third night after reserve() read it
    room_type, _, _ = sellable_room_type(total=1, days=10)
    stay = stay_from(2, 3)
    third = RoomNight.objects.get(room_type=room_type, date=stay.dates()[2])
    other_connection_runs(monkeypatch, "UPDATE inventory_roomnight SET available = 0, version = version + 1 "
                                       "WHERE id = %s", [third.pk])

    # when / then
    with pytest.raises(SoldOut, match="Sold out on"):
        inventory_reserve(room_type=room_type, stay=stay, source="direct", reference="too-late")
    assert nights_of(room_type, stay) == [(1, 1), (1, 1), (0, 2)]
    assert not Hold.objects.filter(reference="too-late").exists()
    assert not HoldNight.objects.exists()
    assert not OutboxMessage.objects.filter(payload__reference="too-late").exists()


def test_an_arrival_closed_between_the_read_and_the_write_is_refused_with_its_reason(monkeypatch):
    room_type, _, _ = sellable_room_type(total=2, days=10)
    stay = stay_from(2, 2)
    first = RoomNight.objects.get(room_type=room_type, date=stay.check_in)
    other_connection_runs(monkeypatch, "UPDATE inventory_roomnight SET closed_to_arrival = true, "
                                       "version = version + 1 WHERE id = %s", [first.pk])

    with pytest.raises(RestrictionViolated, match="Arrival is not possible"):
        inventory_reserve(room_type=room_type, stay=stay, source="direct", reference="closed")
    assert [a for a, _v in nights_of(room_type, stay)] == [2, 2]
    assert not Hold.objects.filter(reference="closed").exists()
