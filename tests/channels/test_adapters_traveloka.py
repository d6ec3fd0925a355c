"""The Traveloka-like adapter over real HTTP against the sandbox OTA: polled with a cursor (each
revision seen once, pages followed), ack or reject, pushes in chunks of at most 200."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from channels.adapters import adapter_for, recording
from channels.adapters.base import CANCELLED, MODIFIED, NEW, Update, WebhookRejected
from tests.channels.helpers import (
    CHECK_IN,
    CHECK_OUT,
    HOTEL,
    RATE,
    ROOM,
    cancel,
    create,
    modify,
    recorded,
    view,
)

CHANNEL = "traveloka"


def test_pull_reads_every_field(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    pulled = adapter_for(CHANNEL).pull(hotel_code=HOTEL)
    [found] = pulled.reservations
    assert pulled.cursor
    assert (found.channel, found.reservation_id, found.revision, found.status) == (
        CHANNEL, made["reservation_id"], 1, NEW)
    assert (found.hotel_code, found.room_code, found.rate_code) == (HOTEL, ROOM, RATE)
    assert (found.check_in, found.check_out, found.rooms, found.guests) == (CHECK_IN, CHECK_OUT, 1, 2)
    assert (found.guest_name, found.guest_email, found.guest_phone) == ("Ana Lopez", "ana@example.com", "+34600111222")
    assert (found.total, found.currency) == (Decimal("240.00"), "USD")
    assert json.loads(found.raw)["id"] == made["reservation_id"]


def test_the_cursor_returns_each_revision_once(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    made = create(ota_sandbox, CHANNEL)
    first = adapter.pull(hotel_code=HOTEL)
    assert [r.revision for r in first.reservations] == [1]
    assert adapter.pull(hotel_code=HOTEL, cursor=first.cursor).reservations == []
    modify(ota_sandbox, CHANNEL, made["reservation_id"], check_out="2027-01-15")
    cancel(ota_sandbox, CHANNEL, made["reservation_id"])
    later = adapter.pull(hotel_code=HOTEL, cursor=first.cursor)
    assert [(r.revision, r.status, r.check_out) for r in later.reservations] == [
        (2, MODIFIED, date(2027, 1, 15)), (3, CANCELLED, date(2027, 1, 15))]
    again = adapter.pull(hotel_code=HOTEL, cursor=later.cursor)
    assert (again.reservations, again.cursor) == ([], later.cursor)


def test_pull_follows_the_pages_to_the_end(ota_sandbox):
    made = [create(ota_sandbox, CHANNEL)["reservation_id"] for _ in range(55)]  # more than a page of 50
    with recording() as exchanges:
        pulled = adapter_for(CHANNEL).pull(hotel_code=HOTEL)
    assert [r.reservation_id for r in pulled.reservations] == made
    assert len(exchanges) == 3  # 50, 5, then an empty page
    assert adapter_for(CHANNEL).pull(hotel_code=HOTEL, cursor=pulled.cursor).reservations == []


def test_fetch_finds_the_latest_revision(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    modify(ota_sandbox, CHANNEL, made["reservation_id"], guests=3)
    found = adapter_for(CHANNEL).fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (found.revision, found.guests) == (2, 3)


def test_ack_and_reject_are_recorded(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    adapter.acknowledge(reservation=adapter.pull(hotel_code=HOTEL).reservations[0], confirmation="LT-5")
    modify(ota_sandbox, CHANNEL, made["reservation_id"], rooms=3)
    adapter.refuse(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]),
                   reason="no rooms left")
    first, second = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"]
    assert (first["acknowledged"], first["confirmation"]) == (True, "LT-5")
    assert (second["refused"], second["reason"]) == (True, "no rooms left")


def test_no_webhooks_and_no_no_show_call(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    assert adapter.webhooks is False
    with pytest.raises(WebhookRejected, match="no webhooks"):
        adapter.verify_webhook(body=b"{}", headers={})
    made = create(ota_sandbox, CHANNEL)
    reservation = adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert adapter.report_no_show(reservation=reservation) is False


def test_push_then_read_back_returns_what_was_pushed(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    result = adapter.push(hotel_code=HOTEL, updates=[
        Update(ROOM, date(2027, 7, 1), date(2027, 7, 2), RATE, available=6, price=Decimal("110.00"), min_stay=3,
               max_stay=14, closed_to_arrival=False, closed_to_departure=False, stop_sell=True)])
    assert (result.calls, result.refused) == (1, [])
    days = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 7, 1), end=date(2027, 7, 2))
    assert [(d.start, d.rate_code, d.available, d.price, d.min_stay, d.max_stay, d.stop_sell) for d in days] == [
        (date(2027, 7, 1), RATE, 6, Decimal("110.00"), 3, 14, True),
        (date(2027, 7, 2), RATE, 6, Decimal("110.00"), 3, 14, True)]
    assert view(ota_sandbox, CHANNEL)[ROOM]["2027-07-02"]["rates"][RATE]["price"] == "110.00"


def test_pushes_go_in_chunks_of_at_most_200(ota_sandbox):
    first = date(2027, 8, 1)
    updates = [Update(ROOM, first + timedelta(days=n), first + timedelta(days=n), RATE, available=1)
               for n in range(250)]
    with recording() as exchanges:
        assert adapter_for(CHANNEL).push(hotel_code=HOTEL, updates=updates).calls == 2
    assert [e.request_body.count(b'"room_id"') for e in exchanges] == [200, 50]
