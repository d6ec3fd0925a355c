"""The Booking.com-like adapter over real HTTP against the sandbox OTA: hint webhook → fetch →
acknowledge or refuse; the unacknowledged list as the safety net; deltas pushed and read back."""
from datetime import date
from decimal import Decimal

from channels.adapters import adapter_for
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

CHANNEL = "booking_com"


def test_fetch_reads_every_field(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    found = adapter_for(CHANNEL).fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (found.channel, found.reservation_id, found.revision, found.status) == (
        CHANNEL, made["reservation_id"], 1, NEW)
    assert (found.hotel_code, found.room_code, found.rate_code) == (HOTEL, ROOM, RATE)
    assert (found.check_in, found.check_out, found.rooms, found.guests) == (CHECK_IN, CHECK_OUT, 1, 2)
    assert (found.guest_name, found.guest_email, found.guest_phone) == ("Ana Lopez", "ana@example.com", "+34600111222")
    assert (found.total, found.currency) == (Decimal("240.00"), "USD")
    assert found.raw.startswith("<HotelReservation") and made["reservation_id"] in found.raw


def test_a_signed_hint_webhook_is_verified_then_fetched(ota_sandbox, settings):
    webhooks_to_nowhere(ota_sandbox, CHANNEL, settings.CHANNEL_APIS[CHANNEL]["webhook_secret"])
    made = create(ota_sandbox, CHANNEL)
    body, headers = delivery(ota_sandbox, CHANNEL, made["reservation_id"])
    adapter = adapter_for(CHANNEL)
    notice = adapter.verify_webhook(body=body, headers=headers)
    assert (notice.hotel_code, notice.reservation_id, notice.revision, notice.reservation) == (
        HOTEL, made["reservation_id"], 1, None)
    assert adapter.fetch(hotel_code=notice.hotel_code, reservation_id=notice.reservation_id).revision == 1


def test_modification_and_cancellation_are_new_revisions_with_the_whole_stay(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    modify(ota_sandbox, CHANNEL, made["reservation_id"], check_out="2027-01-14", rooms=2)
    changed = adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (changed.revision, changed.status, changed.check_in, changed.check_out, changed.rooms) == (
        2, MODIFIED, CHECK_IN, date(2027, 1, 14), 2)
    assert changed.guest_name == "Ana Lopez" and changed.room_code == ROOM
    cancel(ota_sandbox, CHANNEL, made["reservation_id"])
    cancelled = adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (cancelled.revision, cancelled.status, cancelled.check_out, cancelled.rooms) == (
        3, CANCELLED, date(2027, 1, 14), 2)


def test_pull_lists_every_unacknowledged_revision_and_acknowledging_clears_it(ota_sandbox):
    first, second = create(ota_sandbox, CHANNEL), create(ota_sandbox, CHANNEL, guests=3)
    modify(ota_sandbox, CHANNEL, first["reservation_id"], guests=1)
    adapter = adapter_for(CHANNEL)
    pending = adapter.pull(hotel_code=HOTEL).reservations
    assert [(r.reservation_id, r.revision) for r in pending] == [
        (first["reservation_id"], 1), (second["reservation_id"], 1), (first["reservation_id"], 2)]
    for reservation in pending:
        adapter.acknowledge(reservation=reservation, confirmation=f"LT-{reservation.reservation_id}")
    assert adapter.pull(hotel_code=HOTEL).reservations == []
    revisions = recorded(ota_sandbox, CHANNEL, first["reservation_id"])["revisions"]
    assert [(r["acknowledged"], r["confirmation"]) for r in revisions] == [
        (True, f"LT-{first['reservation_id']}")] * 2


def test_a_refusal_records_the_reason(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    adapter.refuse(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]),
                   reason="sold out")
    revision = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"][0]
    assert (revision["refused"], revision["reason"], revision["acknowledged"]) == (True, "sold out", False)


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


def test_push_then_read_back_returns_what_was_pushed(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    result = adapter.push(hotel_code=HOTEL, updates=[
        Update(ROOM, date(2027, 2, 1), date(2027, 2, 3), RATE, available=4, price=Decimal("120.00"), min_stay=2,
               max_stay=10, closed_to_arrival=True, closed_to_departure=False, stop_sell=False),
        Update(ROOM, date(2027, 2, 3), date(2027, 2, 3), available=0),
    ])
    assert (result.calls, result.refused) == (2, [])  # availability+restrictions, then prices
    days = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 2, 1), end=date(2027, 2, 4))
    assert [(d.start, d.available, d.rate_code, d.price) for d in days] == [
        (date(2027, 2, 1), 4, RATE, Decimal("120.00")), (date(2027, 2, 2), 4, RATE, Decimal("120.00")),
        (date(2027, 2, 3), 0, RATE, Decimal("120.00")), (date(2027, 2, 4), None, "", None)]
    first = days[0]
    assert (first.min_stay, first.max_stay, first.closed_to_arrival, first.closed_to_departure, first.stop_sell) == (
        2, 10, True, False, False)
    assert view(ota_sandbox, CHANNEL)[ROOM]["2027-02-03"]["available"] == 0


def test_only_what_changed_is_sent(ota_sandbox):
    adapter = adapter_for(CHANNEL)
    assert adapter.push(hotel_code=HOTEL, updates=[Update(ROOM, date(2027, 2, 1), date(2027, 2, 1), RATE,
                                                          price=Decimal("99.50"))]).calls == 1
    assert adapter.push(hotel_code=HOTEL, updates=[]).calls == 0
    assert view(ota_sandbox, CHANNEL)[ROOM]["2027-02-01"]["rates"][RATE]["price"] == "99.50"
