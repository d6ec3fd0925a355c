"""Malformed input to the bookings API is a 400 with a message, never a 500, and writes nothing:
bodies that are not a JSON object (or nested beyond what Python parses), and dates that are not
dates."""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from bookings.models import Booking, BookingEvent, PlacementKey
from core.models import OutboxMessage
from inventory.models import Hold, RoomNight
from tests.bookings.conftest import stay_booking

pytestmark = pytest.mark.django_db

NOT_AN_OBJECT = {
    "empty list": "[]",
    "string": '"x"',
    "number": "1",
    "null": "null",
    "5,000 nested [": "[" * 5000,
}


def _lock_keys() -> list:
    """Price locks held in the cache (Redis in full-stack runs, the in-process cache otherwise)."""
    if hasattr(cache, "keys"):
        return list(cache.keys("bookings:lock:*"))
    return [key for key in cache._cache if ":bookings:lock:" in key]


def _nothing_written(room) -> None:
    assert not Booking.objects.exists() and not PlacementKey.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert set(RoomNight.objects.filter(room_type=room[0]).values_list("available", flat=True)) == {5}
    assert _lock_keys() == []


def _assert_400(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] and body["detail"]
    return body


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_a_lock_body_that_is_not_an_object_is_a_400(api, room, body):
    _assert_400(api.post("/api/bookings/locks/", body, content_type="application/json"))
    _nothing_written(room)


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_a_booking_body_that_is_not_an_object_is_a_400(api, room, body):
    response = api.post("/api/bookings/", body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    _assert_400(response)
    _nothing_written(room)


@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_a_cancel_body_that_is_not_an_object_is_a_400_and_the_booking_stays(api, room, traveller, body):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    events, outbox = BookingEvent.objects.count(), OutboxMessage.objects.count()

    _assert_400(api.post(f"/api/bookings/{booking.reference}/cancel/", body, content_type="application/json"))

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert (BookingEvent.objects.count(), OutboxMessage.objects.count()) == (events, outbox)
    assert Hold.objects.get(pk=booking.hold_id).status == Hold.Status.HELD


@pytest.mark.parametrize("check_in", [20261201, ["2026-12-01"], {"date": "2026-12-01"}],
                         ids=["number", "list", "object"])
def test_check_in_that_is_not_a_date_string_is_a_400_naming_the_field(api, room, check_in):
    check_out = timezone.localdate() + timedelta(days=12)
    body = {"kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in,
            "check_out": check_out.isoformat(), "rooms": 1, "guests": 2, "coin": "BTC"}

    answer = _assert_400(api.post("/api/bookings/locks/", body, content_type="application/json"))

    assert answer["error"] == "invalid" and answer["detail"].startswith("check_in:")
    assert "check_in" in answer["fields"]
    _nothing_written(room)


def test_a_body_that_is_not_json_is_a_400_and_a_form_body_a_415(api, room):
    _assert_400(api.post("/api/bookings/locks/", "{kind: stay", content_type="application/json"))
    form = api.post("/api/bookings/locks/", {"kind": "stay"})  # multipart, as a browser form sends
    assert form.status_code == 415 and form.json()["error"] == "unsupported_media_type"
    _nothing_written(room)
