"""The Trip.com-like adapter over real HTTP against the sandbox OTA: signed requests, the envelope
(Processing → StillProcessing, Failure → ChannelRejected with the code), polled with a cursor."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from channels.adapters import adapter_for, recording
from channels.adapters.base import (
    CANCELLED,
    MODIFIED,
    NEW,
    ChannelRejected,
    Reservation,
    StillProcessing,
    Update,
    WebhookRejected,
)
from tests.channels.helpers import (
    CHECK_IN,
    CHECK_OUT,
    HOTEL,
    RATE,
    ROOM,
    cancel,
    configure,
    create,
    modify,
    recorded,
    view,
)

CHANNEL = "trip_com"


def test_pull_reads_every_field(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    [found] = adapter_for(CHANNEL).pull(hotel_code=HOTEL).reservations
    assert (found.channel, found.reservation_id, found.revision, found.status) == (
        CHANNEL, made["reservation_id"], 1, NEW)
    assert (found.hotel_code, found.room_code, found.rate_code) == (HOTEL, ROOM, RATE)
    assert (found.check_in, found.check_out, found.rooms, found.guests) == (CHECK_IN, CHECK_OUT, 1, 2)
    assert (found.guest_name, found.guest_email, found.guest_phone) == ("Ana Lopez", "ana@example.com", "+34600111222")
    assert (found.total, found.currency) == (Decimal("240.00"), "USD")
    assert json.loads(found.raw)["OrderId"] == made["reservation_id"]


def test_the_cursor_returns_each_revision_once(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    made = create(ota_sandbox, CHANNEL)
    first = adapter.pull(hotel_code=HOTEL)
    assert adapter.pull(hotel_code=HOTEL, cursor=first.cursor).reservations == []
    modify(ota_sandbox, CHANNEL, made["reservation_id"], rooms=2)
    cancel(ota_sandbox, CHANNEL, made["reservation_id"])
    later = adapter.pull(hotel_code=HOTEL, cursor=first.cursor)
    assert [(r.revision, r.status, r.rooms) for r in later.reservations] == [(2, MODIFIED, 2), (3, CANCELLED, 2)]
    assert adapter.pull(hotel_code=HOTEL, cursor=later.cursor).reservations == []


def test_processing_is_still_processing_with_retry_after(ota_sandbox):
    create(ota_sandbox, CHANNEL)
    configure(ota_sandbox, extra={"processing_next": 1})
    adapter = adapter_for(CHANNEL)
    with pytest.raises(StillProcessing) as raised:
        adapter.pull(hotel_code=HOTEL)
    assert (raised.value.retry_after, raised.value.retryable) == (1, True)
    assert len(adapter.pull(hotel_code=HOTEL).reservations) == 1  # asked again: answered


def test_a_failure_is_rejected_with_the_channels_code(ota_sandbox):
    ghost = Reservation(channel=CHANNEL, reservation_id="TRIPCOM-404", revision=1, status=NEW, hotel_code=HOTEL,
                        room_code=ROOM, rate_code=RATE, check_in=CHECK_IN, check_out=CHECK_OUT, rooms=1, guests=2,
                        guest_name="Nobody")
    with pytest.raises(ChannelRejected) as raised:
        adapter_for(CHANNEL).acknowledge(reservation=ghost, confirmation="LT-1")
    assert raised.value.code == "NotFound"


def test_confirm_and_refuse_are_recorded(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    adapter.acknowledge(reservation=adapter.pull(hotel_code=HOTEL).reservations[0], confirmation="LT-9")
    modify(ota_sandbox, CHANNEL, made["reservation_id"], guests=4)
    adapter.refuse(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]),
                   reason="too many guests for the room")
    first, second = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"]
    assert (first["acknowledged"], first["confirmation"]) == (True, "LT-9")
    assert (second["refused"], second["reason"]) == (True, "too many guests for the room")


def test_no_webhooks_and_no_no_show_call(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(body=b"{}", headers={"X-Trip-Sign": "x"})
    made = create(ota_sandbox, CHANNEL)
    assert adapter.report_no_show(
        reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])) is False


def test_push_then_read_back_returns_what_was_pushed(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    result = adapter.push(hotel_code=HOTEL, updates=[
        Update(ROOM, date(2027, 9, 1), date(2027, 9, 2), RATE, available=3, price=Decimal("95.00"), currency="CNY",
               min_stay=1, closed_to_departure=True),
        Update(ROOM, date(2027, 9, 2), date(2027, 9, 2), RATE, available=0)])
    assert (result.calls, result.refused) == (1, [])
    days = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 9, 1), end=date(2027, 9, 2))
    assert [(d.start, d.rate_code, d.available, d.price, d.currency, d.min_stay, d.closed_to_departure)
            for d in days] == [(date(2027, 9, 1), RATE, 3, Decimal("95.00"), "CNY", 1, True),
                               (date(2027, 9, 2), RATE, 0, Decimal("95.00"), "CNY", 1, True)]
    assert view(ota_sandbox, CHANNEL)[ROOM]["2027-09-02"]["available"] == 0


def test_pushes_go_in_chunks_of_at_most_200(ota_sandbox):
    first = date(2027, 10, 1)
    updates = [Update(ROOM, first + timedelta(days=n), first + timedelta(days=n), RATE, price=Decimal("50.00"))
               for n in range(201)]
    with recording() as exchanges:
        assert adapter_for(CHANNEL).push(hotel_code=HOTEL, updates=updates).calls == 2
    assert [e.request_body.count(b'"RoomCode"') for e in exchanges] == [200, 1]
