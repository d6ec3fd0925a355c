"""The contracts (channels.contracts) applied to both sides of every exchange: each adapter runs
through all its calls against the sandbox OTA while ``recording()`` keeps what went over the wire,
and every request body we sent and every answer we received must match its channel's schema.

The drill: the sandbox renames one field in a channel's answers (``extra.shape_change``), as an
OTA changing its API without notice would; the contract check of that answer must fail naming the
field, and the adapter must refuse to read it (ContractBroken naming the field) rather than store
a half-read reservation.
"""
import json
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from channels.adapters import adapter_for, recording
from channels.adapters.base import NEW, ChannelRejected, ContractBroken, Reservation, StillProcessing, Update
from channels.adapters.http import Exchange
from channels.contracts import XML_CHANNELS, ContractViolation, validate_json, validate_xml
from tests.channels.helpers import (
    CHECK_IN,
    CHECK_OUT,
    HOTEL,
    RATE,
    ROOM,
    cancel,
    configure,
    control,
    create,
    modify,
    webhooks_to_nowhere,
)

CHANNELS = ["booking_com", "expedia", "agoda", "traveloka", "trip_com"]
JSON_MESSAGES = {  # channel: (method, path ending, request message, answer message)
    "agoda": [
        ("GET", r"/bookings/[^/]+", None, "booking"),
        ("GET", r"/bookings", None, "bookings"),
        ("POST", r"/acknowledge", "acknowledge_request", "status"),
        ("POST", r"/reject", "reject_request", "status"),
        ("POST", r"/no_show", "no_show_request", "status"),
        ("PUT", r"/availability", "availability_request", "availability_results"),
        ("GET", r"/availability", None, "availability_days"),
    ],
    "traveloka": [
        ("GET", r"/reservations", None, "reservations"),
        ("POST", r"/ack", "ack_request", "status"),
        ("POST", r"/reject", "reject_request", "status"),
        ("POST", r"/inventory", "inventory_request", "inventory_accepted"),
        ("GET", r"/inventory", None, "inventory_days"),
    ],
    "trip_com": [
        ("POST", r"/reservations/query", "reservations_query_request", "reservations_query_response"),
        ("POST", r"/reservations/confirm", "confirm_request", "confirm_response"),
        ("POST", r"/inventory/update", "inventory_update_request", "inventory_update_response"),
        ("POST", r"/inventory/query", "inventory_query_request", "inventory_query_response"),
    ],
}
XML_MESSAGES = {  # every root an adapter run must have sent or received
    "booking_com": {"OTA_HotelResNotifRQ", "OTA_HotelResNotifRS", "OTA_HotelAvailNotifRQ", "OTA_HotelAvailNotifRS",
                    "OTA_HotelRateAmountNotifRQ", "OTA_HotelRateAmountNotifRS", "OTA_HotelAvailGetRS", "NoShowRQ",
                    "NoShowRS"},
    "expedia": {"BookingRetrievalRQ", "BookingRetrievalRS", "BookingConfirmRQ", "BookingConfirmRS",
                "AvailRateUpdateRQ", "AvailRateUpdateRS", "ProductAvailRateRetrievalRQ",
                "ProductAvailRateRetrievalRS", "NoShowRQ", "NoShowRS"},
}
UPDATES = [
    Update(ROOM, date(2027, 2, 1), date(2027, 2, 2), RATE, available=3, price=Decimal("120.00"), min_stay=1,
           max_stay=14, closed_to_arrival=False, closed_to_departure=True, stop_sell=False),
    Update(ROOM, date(2027, 2, 2), date(2027, 2, 2), "NRF", price=Decimal("99.00"), currency="EUR"),
]


def check(exchange: Exchange) -> set[str]:
    """Validate both bodies of one exchange; the names of the messages checked."""
    channel = exchange.channel
    if channel in XML_CHANNELS:
        bodies = [body for body in (exchange.request_body, exchange.response_body) if body]
        for body in bodies:
            validate_xml(channel, body)
        return {re.search(rb"<(?:\w+:)?(\w+)[\s>/]", body.split(b"?>")[-1]).group(1).decode() for body in bodies}
    path = urlsplit(exchange.url).path
    [(request, answer)] = [(rq, rs) for method, ending, rq, rs in JSON_MESSAGES[channel]
                           if method == exchange.method and re.search(ending + "$", path)]
    answer = "error" if exchange.status >= 400 else answer
    if request:
        validate_json(channel, request, json.loads(exchange.request_body))
    validate_json(channel, answer, json.loads(exchange.response_body))
    return {request, answer} - {None}


def run_every_call(sandbox, channel: str) -> list[Exchange]:
    """Everything an adapter does, against the sandbox, recorded."""
    adapter = adapter_for(channel)
    made = create(sandbox, channel)
    ghost = Reservation(channel=channel, reservation_id="GHOST-1", revision=1, status=NEW, hotel_code=HOTEL,
                        room_code=ROOM, rate_code=RATE, check_in=CHECK_IN, check_out=CHECK_OUT, rooms=1, guests=2,
                        guest_name="Nobody")
    with recording() as exchanges:
        pulled = adapter.pull(hotel_code=HOTEL)
        adapter.acknowledge(reservation=pulled.reservations[0], confirmation="LT-1")
        modify(sandbox, channel, made["reservation_id"], guests=3)
        adapter.refuse(reservation=adapter.fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"]),
                       reason="sold out")
        cancel(sandbox, channel, made["reservation_id"])
        adapter.pull(hotel_code=HOTEL, cursor=pulled.cursor)
        adapter.report_no_show(reservation=pulled.reservations[0])
        adapter.push(hotel_code=HOTEL, updates=UPDATES)
        adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 2, 1), end=date(2027, 2, 3))
        with pytest.raises(ChannelRejected):  # an error answer, in the channel's error shape
            adapter.acknowledge(reservation=ghost, confirmation="LT-2")
    return exchanges


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_request_and_answer_keeps_the_contract(ota_sandbox, channel):
    exchanges = run_every_call(ota_sandbox, channel)
    checked = set().union(*(check(exchange) for exchange in exchanges))
    if channel in XML_CHANNELS:
        assert checked >= XML_MESSAGES[channel]
    else:
        expected = {name for _, _, rq, rs in JSON_MESSAGES[channel] for name in (rq, rs) if name}
        assert checked >= expected | {"error"}


def test_a_refusal_and_a_207_keep_the_agoda_contract(ota_sandbox):
    configure(ota_sandbox, extra={"refuse_items": ["NRF"]})
    with recording() as exchanges:
        refused = adapter_for("agoda").push(hotel_code=HOTEL, updates=UPDATES).refused
    assert [r.update.rate_code for r in refused] == ["NRF"]
    assert 207 in {e.status for e in exchanges}
    for exchange in exchanges:
        check(exchange)


def test_a_processing_answer_keeps_the_trip_com_contract(ota_sandbox):
    configure(ota_sandbox, extra={"processing_next": 1})
    with recording() as exchanges, pytest.raises(StillProcessing):
        adapter_for("trip_com").pull(hotel_code=HOTEL)
    [exchange] = exchanges
    assert json.loads(exchange.response_body)["ResponseStatus"]["Ack"] == "Processing"
    check(exchange)


@pytest.mark.parametrize("channel", ["booking_com", "expedia", "agoda"])
def test_every_webhook_keeps_the_contract(ota_sandbox, settings, channel):
    webhooks_to_nowhere(ota_sandbox, channel, settings.CHANNEL_APIS[channel]["webhook_secret"])
    made = create(ota_sandbox, channel)
    modify(ota_sandbox, channel, made["reservation_id"], rooms=2)
    cancel(ota_sandbox, channel, made["reservation_id"])
    sent = control(ota_sandbox, "GET", "/_sandbox/deliveries", channel=channel)
    assert len(sent) == 3
    for delivery in sent:
        if channel in XML_CHANNELS and delivery["content_type"].endswith("xml"):
            validate_xml(channel, delivery["body"])
        else:
            validate_json(channel, "webhook", json.loads(delivery["body"]))


DRILLS = {  # channel: a field of its reservation answers
    "booking_com": "RoomTypeCode", "expedia": "arrival", "agoda": "arrival", "traveloka": "check_in",
    "trip_com": "CheckIn",
}


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_renamed_field_fails_the_contract_and_the_adapter_names_it(ota_sandbox, channel):
    field = DRILLS[channel]
    made = create(ota_sandbox, channel)
    configure(ota_sandbox, extra={"shape_change": {channel: field}})
    with recording() as exchanges, pytest.raises(ContractBroken) as broken:
        adapter_for(channel).fetch(hotel_code=HOTEL, reservation_id=made["reservation_id"])
    assert field in broken.value.message
    with pytest.raises(ContractViolation) as violation:
        check(exchanges[-1])
    assert field in str(violation.value)


@pytest.mark.parametrize("channel, field", [("agoda", "allotment"), ("traveloka", "price"), ("trip_com", "Days"),
                                            ("expedia", "date"), ("expedia", "AvailRate"),
                                            ("booking_com", "StatusApplicationControl"),
                                            ("booking_com", "AvailStatusMessage")])
def test_a_renamed_field_of_the_view_is_caught_too(ota_sandbox, channel, field):
    adapter = adapter_for(channel)
    adapter.push(hotel_code=HOTEL, updates=UPDATES)
    configure(ota_sandbox, extra={"shape_change": {channel: field}})
    with recording() as exchanges, pytest.raises(ContractBroken) as broken:
        adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 2, 1), end=date(2027, 2, 2))
    assert field in broken.value.message
    with pytest.raises(ContractViolation, match=field):
        check(exchanges[-1])


@pytest.mark.parametrize("channel, field", [("booking_com", "HotelReservation"), ("expedia", "Booking"),
                                            ("agoda", "bookings"), ("traveloka", "reservations"),
                                            ("trip_com", "Reservations")])
def test_a_renamed_list_is_never_read_as_no_reservations(ota_sandbox, channel, field):
    create(ota_sandbox, channel)
    configure(ota_sandbox, extra={"shape_change": {channel: field}})
    with recording() as exchanges, pytest.raises(ContractBroken) as broken:
        adapter_for(channel).pull(hotel_code=HOTEL)
    assert field in broken.value.message
    with pytest.raises(ContractViolation, match=field):
        check(exchanges[-1])
