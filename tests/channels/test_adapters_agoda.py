"""The Agoda-like adapter over real HTTP against the sandbox OTA: hint webhook → fetch →
acknowledge or reject; one PUT per room type and date; a 207 returns the refused items."""
import json
from datetime import date
from decimal import Decimal

from channels.adapters import adapter_for, recording
from channels.adapters.base import CANCELLED, MODIFIED, NEW, Update
from tests.channels.helpers import (
    CHECK_IN,
    CHECK_OUT,
    HOTEL,
    RATE,
    ROOM,
    cancel,
    configure,
    create,
    delivery,
    modify,
    recorded,
    view,
    webhooks_to_nowhere,
)

CHANNEL = "agoda"


def test_a_signed_hint_webhook_is_verified_then_fetched_with_every_field(ota_sandbox, settings):
    webhooks_to_nowhere(ota_sandbox, CHANNEL, settings.CHANNEL_APIS[CHANNEL]["webhook_secret"])
    made = create(ota_sandbox, CHANNEL)
    body, headers = delivery(ota_sandbox, CHANNEL, made["reservation_id"])
    adapter = adapter_for(CHANNEL)
    notice = adapter.verify_webhook(body=body, headers={k.lower(): v for k, v in headers.items()})
    assert (notice.hotel_code, notice.reservation_id, notice.revision, notice.reservation) == (
        HOTEL, made["reservation_id"], 1, None)
    found = adapter.fetch(hotel_code=notice.hotel_code, reservation_id=notice.reservation_id)
    assert (found.channel, found.reservation_id, found.revision, found.status) == (
        CHANNEL, made["reservation_id"], 1, NEW)
    assert (found.hotel_code, found.room_code, found.rate_code) == (HOTEL, ROOM, RATE)
    assert (found.check_in, found.check_out, found.rooms, found.guests) == (CHECK_IN, CHECK_OUT, 1, 2)
    assert (found.guest_name, found.guest_email, found.guest_phone) == ("Ana Lopez", "ana@example.com", "+34600111222")
    assert (found.total, found.currency) == (Decimal("240.00"), "USD")
    assert json.loads(found.raw)["booking_id"] == made["reservation_id"]


def test_modification_and_cancellation_are_new_revisions_with_the_whole_stay(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    modify(ota_sandbox, CHANNEL, made["reservation_id"], rate_code="NRF", total="200.00")
    changed = adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (changed.revision, changed.status, changed.rate_code, changed.total, changed.check_in) == (
        2, MODIFIED, "NRF", Decimal("200.00"), CHECK_IN)
    cancel(ota_sandbox, CHANNEL, made["reservation_id"])
    assert adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]).status == CANCELLED


def test_pull_lists_the_unacknowledged_and_acknowledging_clears_them(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    pending = adapter.pull(hotel_code=HOTEL)
    assert ([r.reservation_id for r in pending.reservations], pending.cursor) == ([made["reservation_id"]], "")
    adapter.acknowledge(reservation=pending.reservations[0], confirmation="LT-77")
    assert adapter.pull(hotel_code=HOTEL).reservations == []
    revision = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"][0]
    assert (revision["acknowledged"], revision["confirmation"]) == (True, "LT-77")


def test_a_rejection_records_the_reason(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    adapter.refuse(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]),
                   reason="overbooked")
    revision = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"][0]
    assert (revision["refused"], revision["reason"]) == (True, "overbooked")


def test_a_lost_webhook_is_still_found_by_pull(ota_sandbox, settings):
    webhooks_to_nowhere(ota_sandbox, CHANNEL, settings.CHANNEL_APIS[CHANNEL]["webhook_secret"])
    configure(ota_sandbox, extra={"webhooks_off": [CHANNEL]})
    made = create(ota_sandbox, CHANNEL)
    assert [r.reservation_id for r in adapter_for(CHANNEL).pull(hotel_code=HOTEL).reservations] == [
        made["reservation_id"]]


def test_no_show_is_reported(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    assert adapter.report_no_show(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]))
    assert recorded(ota_sandbox, CHANNEL, made["reservation_id"])["no_show"] is True


def test_one_call_per_room_type_and_date_with_its_rate_plans_together(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    updates = [
        Update(ROOM, date(2027, 5, 1), date(2027, 5, 3), RATE, available=2, price=Decimal("80.00"), min_stay=2),
        Update(ROOM, date(2027, 5, 2), date(2027, 5, 3), "NRF", price=Decimal("70.00"), closed_to_arrival=True),
        Update("TWN", date(2027, 5, 1), date(2027, 5, 1), available=1, stop_sell=True),
    ]
    with recording() as exchanges:
        result = adapter.push(hotel_code=HOTEL, updates=updates)
    assert (result.calls, result.refused, len(exchanges)) == (4, [], 4)
    assert all(e.method == "PUT" for e in exchanges)
    days = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 5, 1), end=date(2027, 5, 3))
    assert [(d.start, d.rate_code, d.available, d.price) for d in days] == [
        (date(2027, 5, 1), RATE, 2, Decimal("80.00")),
        (date(2027, 5, 2), RATE, 2, Decimal("80.00")), (date(2027, 5, 2), "NRF", 2, Decimal("70.00")),
        (date(2027, 5, 3), RATE, 2, Decimal("80.00")), (date(2027, 5, 3), "NRF", 2, Decimal("70.00"))]
    assert (days[1].min_stay, days[2].closed_to_arrival) == (2, True)
    twn = view(ota_sandbox, CHANNEL)["TWN"]["2027-05-01"]
    assert (twn["available"], twn["stop_sell"]) == (1, True)


def test_a_207_returns_the_refused_items_and_applies_the_rest(ota_sandbox):
    configure(ota_sandbox, extra={"refuse_items": ["NRF"]})
    adapter = adapter_for(CHANNEL)
    nrf = Update(ROOM, date(2027, 6, 1), date(2027, 6, 2), "NRF", price=Decimal("70.00"))
    result = adapter.push(hotel_code=HOTEL, updates=[
        Update(ROOM, date(2027, 6, 1), date(2027, 6, 2), RATE, price=Decimal("90.00")), nrf])
    assert result.calls == 2
    assert [(r.update.rate_code, r.update.start, r.update.end, r.code) for r in result.refused] == [
        ("NRF", date(2027, 6, 1), date(2027, 6, 1), "ITEM_REFUSED"),
        ("NRF", date(2027, 6, 2), date(2027, 6, 2), "ITEM_REFUSED")]
    assert all(r.update.price == nrf.price and "NRF" in r.message for r in result.refused)
    rates = view(ota_sandbox, CHANNEL)[ROOM]["2027-06-01"]["rates"]
    assert list(rates) == [RATE]


def test_overlapping_updates_of_one_rate_plan_are_merged_field_by_field(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    with recording() as exchanges:
        result = adapter.push(hotel_code=HOTEL, updates=[
            Update(ROOM, date(2027, 6, 5), date(2027, 6, 5), RATE, price=Decimal("90.00"), min_stay=1),
            Update(ROOM, date(2027, 6, 5), date(2027, 6, 5), RATE, min_stay=3)])
    assert (result.calls, len(exchanges)) == (1, 1)
    [day] = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 6, 5), end=date(2027, 6, 5))
    assert (day.price, day.min_stay) == (Decimal("90.00"), 3)


def test_a_refused_room_type_returns_every_update_of_its_calls(ota_sandbox):
    configure(ota_sandbox, extra={"refuse_items": [ROOM]})
    allotment = Update(ROOM, date(2027, 6, 8), date(2027, 6, 8), available=4)
    price = Update(ROOM, date(2027, 6, 8), date(2027, 6, 8), RATE, price=Decimal("90.00"))
    other_room = Update("TWN", date(2027, 6, 8), date(2027, 6, 8), available=1)
    result = adapter_for(CHANNEL).push(hotel_code=HOTEL, updates=[allotment, price, other_room])
    assert result.calls == 2
    assert [(r.update, r.code) for r in result.refused] == [(allotment, "ITEM_REFUSED"), (price, "ITEM_REFUSED")]
    assert ROOM not in view(ota_sandbox, CHANNEL) or "2027-06-08" not in view(ota_sandbox, CHANNEL)[ROOM]
