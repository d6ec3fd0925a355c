"""The placing benchmark's floor (bench/place_floor.py) writes what a placement writes.

The benchmark compares our placement with it; the comparison is only fair if the floor does
the same work in the database: the same rows in the same tables, the same nights taken.
"""
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from bench.place_floor import PLACE_FLOOR_PATH
from inventory.models import RoomNight
from tests.factories import guests_body

pytestmark = [pytest.mark.postgres, pytest.mark.urls("bench.baseline"), pytest.mark.django_db]

TABLES = ("bookings.Booking", "bookings.BookingGuest", "bookings.BookingEvent", "bookings.PlacementKey",
          "payments.Invoice", "core.OutboxMessage", "inventory.Hold", "inventory.HoldNight")


def _rows() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in TABLES}


def _place(api, room, path: str, days_ahead: int, key: str):
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    lock = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC"},
        content_type="application/json").json()
    before = _rows()
    response = api.post(path, {"lock_id": lock["lock_id"], "guests": guests_body()}, content_type="application/json",
                        headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.content
    after = _rows()
    nights = RoomNight.objects.filter(room_type=room[0], date__gte=check_in, date__lt=check_in + timedelta(days=2))
    return {label: after[label] - before[label] for label in TABLES}, sorted(nights.values_list("available", flat=True))


def test_the_floor_writes_the_rows_a_placement_writes_and_takes_the_same_nights(api, room):
    placed = _place(api, room, "/api/bookings/", days_ahead=10, key="ours")
    floor = _place(api, room, PLACE_FLOOR_PATH, days_ahead=20, key="floor")

    assert floor == placed
    assert placed[0]["core.OutboxMessage"] == 3 and placed[1] == [4, 4]


def test_the_floor_refuses_a_night_without_rooms_and_writes_nothing(api, room):
    check_in = timezone.localdate() + timedelta(days=10)
    lock = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC"},
        content_type="application/json").json()
    RoomNight.objects.filter(room_type=room[0], date=check_in + timedelta(days=1)).update(available=0)
    before = _rows()

    response = api.post(PLACE_FLOOR_PATH, {"lock_id": lock["lock_id"], "guests": guests_body()},
                        content_type="application/json", headers={"Idempotency-Key": "k"})

    assert response.status_code == 409 and _rows() == before
    assert RoomNight.objects.get(room_type=room[0], date=check_in).available == 5
