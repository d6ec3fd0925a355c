"""Restay: a reservation's new stay replaces its old one on the same hold, in one step.

Nights the old and the new stay share are never written (their version stays); what cannot be
honoured changes nothing at all.
"""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import OutboxMessage
from inventory.cache import hot_cache
from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import Hold, HoldNight, RoomNight
from inventory.services import inventory_release, inventory_reserve, inventory_restay
from inventory.stays import Stay
from tests.factories import RoomTypeFactory, sellable_room_type

pytestmark = pytest.mark.django_db


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def stay(first: int, last: int, rooms: int = 1) -> Stay:
    """Nights ``first`` to ``last - 1`` days from today (check-out on day ``last``)."""
    return Stay(day(first), day(last), rooms=rooms, guests=rooms)


def nights(room_type) -> dict:
    """Every night of the room type: days from today -> (available, version)."""
    return {(n.date - day(0)).days: (n.available, n.version) for n in RoomNight.objects.filter(room_type=room_type)}


def held(hold: Hold) -> list[tuple[int, int, int]]:
    """The hold's nights: (room type, days from today, rooms), in date order."""
    return sorted((hn.room_night.room_type_id, (hn.room_night.date - day(0)).days, hn.rooms)
                  for hn in HoldNight.objects.filter(hold=hold).select_related("room_night"))


def changed_events(reference: str) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(topic="inventory.changed").order_by("pk")
            if m.payload.get("reference") == reference and m.payload.get("modified")]


def test_moving_the_dates_keeps_the_shared_nights_untouched_and_swaps_the_rest():
    # given: a hold for the nights of days 10, 11, 12
    room_type, _, _ = sellable_room_type(total=3)
    hold = inventory_reserve(room_type=room_type, stay=stay(10, 13), source="booking_com", reference="BK-1")
    before = nights(room_type)

    # when: the guest moves to the nights of days 11 to 14
    restayed = inventory_restay(hold=hold, room_type=room_type, stay=stay(11, 15))

    # then
    after = nights(room_type)
    assert after[11] == before[11] and after[12] == before[12]  # not written at all
    assert after[10] == (3, before[10][1] + 1)  # given back
    assert after[13] == (2, before[13][1] + 1) and after[14] == (2, before[14][1] + 1)  # taken
    assert {d: after[d] for d in after if d not in (10, 13, 14)} == {d: before[d] for d in before
                                                                    if d not in (10, 13, 14)}
    assert restayed.pk == hold.pk
    assert (hold.check_in, hold.check_out, hold.rooms, hold.status) == (day(11), day(15), 1, Hold.Status.HELD)
    assert held(hold) == [(room_type.pk, d, 1) for d in (11, 12, 13, 14)]
    assert [e["dates"] for e in changed_events("BK-1")] == [[day(d).isoformat() for d in (10, 13, 14)]]


def test_the_hot_cache_follows_the_restay_after_commit(django_capture_on_commit_callbacks):
    room_type, _, _ = sellable_room_type(total=3)
    hold = inventory_reserve(room_type=room_type, stay=stay(10, 13), source="agoda", reference="AG-1")

    with django_capture_on_commit_callbacks(execute=True):
        inventory_restay(hold=hold, room_type=room_type, stay=stay(11, 15))

    cached = hot_cache().read([(room_type.pk, day(d)) for d in (10, 13, 14)])
    assert cached == {(room_type.pk, day(d)): (v, a) for d, (a, v) in nights(room_type).items() if d in (10, 13, 14)}


def test_a_modification_that_cannot_be_honoured_changes_nothing():
    # given: a hold for days 10-12, and day 14 sold out
    room_type, _, _ = sellable_room_type(total=2)
    hold = inventory_reserve(room_type=room_type, stay=stay(10, 13), source="expedia", reference="EX-1")
    RoomNight.objects.filter(room_type=room_type, date=day(14)).update(available=0)
    before, hold_nights_before = nights(room_type), held(hold)
    events_before = OutboxMessage.objects.count()

    # when / then
    with pytest.raises(SoldOut, match=f"Sold out on {day(14):%d %b %Y}."):
        inventory_restay(hold=hold, room_type=room_type, stay=stay(11, 15))

    assert nights(room_type) == before
    assert held(hold) == hold_nights_before
    hold.refresh_from_db()
    assert (hold.check_in, hold.check_out, hold.rooms, hold.status) == (day(10), day(13), 1, Hold.Status.HELD)
    assert OutboxMessage.objects.count() == events_before


def test_the_new_stays_restrictions_apply_and_refuse_without_a_change():
    room_type, _, _ = sellable_room_type(total=2)
    hold = inventory_reserve(room_type=room_type, stay=stay(10, 12), source="airbnb", reference="AB-1")
    RoomNight.objects.filter(room_type=room_type, date=day(9)).update(closed_to_arrival=True)
    before = nights(room_type)

    with pytest.raises(RestrictionViolated, match="Arrival is not possible"):
        inventory_restay(hold=hold, room_type=room_type, stay=stay(9, 12))

    assert nights(room_type) == before and held(hold) == [(room_type.pk, 10, 1), (room_type.pk, 11, 1)]


def test_more_rooms_take_only_the_difference_and_fewer_give_only_the_difference_back():
    room_type, _, _ = sellable_room_type(total=5)
    hold = inventory_reserve(room_type=room_type, stay=stay(4, 6, rooms=2), source="direct", reference="D-1")

    inventory_restay(hold=hold, room_type=room_type, stay=stay(4, 6, rooms=3))
    assert [nights(room_type)[d][0] for d in (4, 5)] == [2, 2]
    assert held(hold) == [(room_type.pk, 4, 3), (room_type.pk, 5, 3)] and hold.rooms == 3

    inventory_restay(hold=hold, room_type=room_type, stay=stay(5, 7, rooms=1))
    after = nights(room_type)
    assert [after[d][0] for d in (4, 5, 6)] == [5, 4, 4]
    assert held(hold) == [(room_type.pk, 5, 1), (room_type.pk, 6, 1)]


def test_more_rooms_than_a_night_has_left_is_sold_out_even_on_a_shared_night():
    room_type, _, _ = sellable_room_type(total=2)
    hold = inventory_reserve(room_type=room_type, stay=stay(4, 6), source="direct", reference="D-2")
    inventory_reserve(room_type=room_type, stay=stay(5, 6), source="agoda", reference="AG-2")
    before = nights(room_type)

    with pytest.raises(SoldOut, match=f"Sold out on {day(5):%d %b %Y}."):
        inventory_restay(hold=hold, room_type=room_type, stay=stay(4, 6, rooms=2))

    assert nights(room_type) == before and hold.rooms == 1


def test_another_room_type_gives_back_every_old_night_and_takes_every_new_one():
    # given
    room_type, _, _ = sellable_room_type(total=3)
    suite = RoomTypeFactory(property=room_type.property, name="Suite")
    RoomNight.objects.bulk_create(RoomNight(room_type=suite, date=day(d), total=2, available=2) for d in range(10))
    hold = inventory_reserve(room_type=room_type, stay=stay(3, 5), source="trip_com", reference="TC-1")

    # when: the same dates in a suite
    inventory_restay(hold=hold, room_type=suite, stay=stay(3, 5))

    # then
    assert [nights(room_type)[d][0] for d in (3, 4)] == [3, 3]
    assert [nights(suite)[d][0] for d in (3, 4)] == [1, 1]
    assert hold.room_type_id == suite.pk and held(hold) == [(suite.pk, 3, 1), (suite.pk, 4, 1)]
    announced = {e["room_type_id"]: e["dates"] for e in changed_events("TC-1")}
    assert announced == {rt.pk: [day(3).isoformat(), day(4).isoformat()] for rt in (room_type, suite)}


def test_a_released_hold_cannot_be_modified():
    room_type, _, _ = sellable_room_type(total=2)
    hold = inventory_reserve(room_type=room_type, stay=stay(3, 5), source="expedia", reference="EX-2")
    inventory_release(hold=hold)
    before = nights(room_type)

    with pytest.raises(ValidationError, match="already released"):
        inventory_restay(hold=hold, room_type=room_type, stay=stay(3, 6))

    assert nights(room_type) == before and hold.status == Hold.Status.RELEASED


def test_another_hotel_is_not_a_modification():
    room_type, _, _ = sellable_room_type(total=2)
    elsewhere, _, _ = sellable_room_type(total=2)
    hold = inventory_reserve(room_type=room_type, stay=stay(3, 5), source="expedia", reference="EX-3")

    with pytest.raises(ValidationError, match="same hotel"):
        inventory_restay(hold=hold, room_type=elsewhere, stay=stay(3, 5))

    assert nights(elsewhere)[3][0] == 2 and held(hold) == [(room_type.pk, 3, 1), (room_type.pk, 4, 1)]


def test_an_unchanged_stay_writes_no_night():
    room_type, _, _ = sellable_room_type(total=2)
    hold = inventory_reserve(room_type=room_type, stay=stay(3, 5), source="direct", reference="D-3")
    before = nights(room_type)

    inventory_restay(hold=hold, room_type=room_type, stay=stay(3, 5))

    assert nights(room_type) == before and changed_events("D-3") == []
