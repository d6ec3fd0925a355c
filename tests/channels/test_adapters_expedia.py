"""The Expedia-like adapter over real HTTP against the sandbox OTA: the webhook carries the whole
booking; confirm with our number or refuse; retrieval of pending bookings as the safety net;
pushes split into messages of at most 100 date ranges."""
from datetime import date, timedelta
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

CHANNEL = "expedia"


def test_the_webhook_carries_the_whole_booking(ota_sandbox, settings):
    webhooks_to_nowhere(ota_sandbox, CHANNEL, settings.CHANNEL_APIS[CHANNEL]["webhook_secret"])
    made = create(ota_sandbox, CHANNEL)
    body, headers = delivery(ota_sandbox, CHANNEL, made["reservation_id"])
    notice = adapter_for(CHANNEL).verify_webhook(body=body, headers=headers)
    booking = notice.reservation
    assert (notice.hotel_code, notice.reservation_id, notice.revision) == (HOTEL, made["reservation_id"], 1)
    assert (booking.channel, booking.reservation_id, booking.revision, booking.status) == (
        CHANNEL, made["reservation_id"], 1, NEW)
    assert (booking.hotel_code, booking.room_code, booking.rate_code) == (HOTEL, ROOM, RATE)
    assert (booking.check_in, booking.check_out, booking.rooms, booking.guests) == (CHECK_IN, CHECK_OUT, 1, 2)
    assert (booking.guest_name, booking.guest_email, booking.guest_phone) == (
        "Ana Lopez", "ana@example.com", "+34600111222")
    assert (booking.total, booking.currency) == (Decimal("240.00"), "USD")
    assert booking.raw.startswith("<Booking ") and made["reservation_id"] in booking.raw


def test_fetch_reads_the_same_booking(ota_sandbox):
    made = create(ota_sandbox, CHANNEL, rooms=2, guests=4, total="480.00", currency="EUR")
    found = adapter_for(CHANNEL).fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (found.revision, found.status, found.rooms, found.guests, found.total, found.currency) == (
        1, NEW, 2, 4, Decimal("480.00"), "EUR")


def test_modification_and_cancellation_are_new_revisions_with_the_whole_stay(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    modify(ota_sandbox, CHANNEL, made["reservation_id"], check_in="2027-01-11", room_code="TWN")
    changed = adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (changed.revision, changed.status, changed.check_in, changed.check_out, changed.room_code) == (
        2, MODIFIED, date(2027, 1, 11), CHECK_OUT, "TWN")
    cancel(ota_sandbox, CHANNEL, made["reservation_id"])
    cancelled = adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert (cancelled.revision, cancelled.status, cancelled.room_code) == (3, CANCELLED, "TWN")


def test_confirming_with_our_number_takes_it_off_the_pending_list(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    pending = adapter.pull(hotel_code=HOTEL).reservations
    assert [(r.reservation_id, r.revision) for r in pending] == [(made["reservation_id"], 1)]
    adapter.acknowledge(reservation=pending[0], confirmation="LT-1001")
    assert adapter.pull(hotel_code=HOTEL).reservations == []
    revision = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"][0]
    assert (revision["acknowledged"], revision["confirmation"]) == (True, "LT-1001")


def test_a_modification_after_confirmation_is_pending_again(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    adapter.acknowledge(reservation=adapter.pull(hotel_code=HOTEL).reservations[0], confirmation="LT-1")
    modify(ota_sandbox, CHANNEL, made["reservation_id"], guests=3)
    assert [(r.revision, r.guests) for r in adapter.pull(hotel_code=HOTEL).reservations] == [(2, 3)]


def test_a_refusal_records_the_reason(ota_sandbox):
    made = create(ota_sandbox, CHANNEL)
    adapter = adapter_for(CHANNEL)
    adapter.refuse(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]),
                   reason="room type unmapped")
    revision = recorded(ota_sandbox, CHANNEL, made["reservation_id"])["revisions"][0]
    assert (revision["refused"], revision["reason"]) == (True, "room type unmapped")


def test_a_lost_webhook_is_still_found_by_retrieval(ota_sandbox, settings):
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
        Update(ROOM, date(2027, 3, 1), date(2027, 3, 2), RATE, available=5, price=Decimal("150.00"), currency="EUR",
               min_stay=1, max_stay=30, closed_to_arrival=False, closed_to_departure=True),
        Update(ROOM, date(2027, 3, 2), date(2027, 3, 2), RATE, stop_sell=True),
    ])
    assert (result.calls, result.refused) == (1, [])
    days = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 3, 1), end=date(2027, 3, 2))
    assert [(d.start, d.rate_code, d.available, d.price, d.currency, d.stop_sell) for d in days] == [
        (date(2027, 3, 1), RATE, 5, Decimal("150.00"), "EUR", None),
        (date(2027, 3, 2), RATE, 5, Decimal("150.00"), "EUR", True)]
    assert (days[0].min_stay, days[0].max_stay, days[0].closed_to_arrival, days[0].closed_to_departure) == (
        1, 30, False, True)
    assert view(ota_sandbox, CHANNEL)[ROOM]["2027-03-02"]["rates"][RATE]["stop_sell"] is True


def test_more_than_100_ranges_go_in_several_messages(ota_sandbox):
    first = date(2027, 4, 1)
    updates = [Update(ROOM, first + timedelta(days=n), first + timedelta(days=n), RATE, available=n % 7,
                      price=Decimal(100 + n)) for n in range(150)]
    adapter = adapter_for(CHANNEL)
    with recording() as exchanges:
        result = adapter.push(hotel_code=HOTEL, updates=updates)
    assert result.calls == 2
    assert [e.request_body.count(b"<AvailRateUpdate>") for e in exchanges] == [100, 50]
    days = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=first, end=first + timedelta(days=149))
    assert [(d.available, d.price) for d in days] == [(n % 7, Decimal(100 + n)) for n in range(150)]
