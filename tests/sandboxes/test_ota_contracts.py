"""channels.contracts names the channel, the message and the field that breaks it; the sandbox's
``shape_change`` renames a field in one channel's answers, which the contracts then catch."""
import json
import time
from datetime import date

import pytest

from channels.contracts import ContractViolation, message_names, validate_json, validate_xml
from tests.sandboxes.ota import EXPEDIA_AUTH, trip_headers


def test_every_channel_lists_its_messages():
    assert "OTA_HotelResNotifRQ" in message_names("booking_com") and "webhook" in message_names("booking_com")
    assert "BookingNotification" in message_names("expedia")
    assert {"booking", "availability_request", "error"} <= set(message_names("agoda"))
    assert "_response_status" not in message_names("trip_com")
    with pytest.raises(ValueError):
        message_names("nowhere")


def test_a_renamed_json_field_is_named():
    hint = {"booking_id": "R", "property_id": "H", "event": "new", "revision": 1}
    validate_json("agoda", "webhook", hint)
    renamed = {**{k: v for k, v in hint.items() if k != "revision"}, "revision_v2": 1}
    with pytest.raises(ContractViolation, match="revision") as caught:
        validate_json("agoda", "webhook", renamed)
    assert caught.value.channel == "agoda" and caught.value.message == "webhook"
    assert str(caught.value).startswith("agoda webhook: ")


def test_a_renamed_xml_attribute_is_named():
    body = f'<NoShowRQ>{EXPEDIA_AUTH}<Booking id="R"/></NoShowRQ>'
    validate_xml("expedia", body)
    with pytest.raises(ContractViolation, match="'id'") as caught:
        validate_xml("expedia", body.replace(' id="R"', ' id_v2="R"'))
    assert caught.value.message == "NoShowRQ" and caught.value.field == "/NoShowRQ/Booking"
    with pytest.raises(ContractViolation, match="no such message"):
        validate_xml("expedia", "<Whatever/>")


def test_shape_change_renames_a_json_field_in_one_channels_answers(ota):
    ota.reserve("traveloka")
    ota.configure(extra={"shape_change": {"traveloka": "revision"}})
    response = ota.http.get("/traveloka/v1/hotels/H1/reservations", headers={"Authorization": "Bearer sandbox-traveloka-token"})
    assert "revision_v2" in response.json()["reservations"][0]
    with pytest.raises(ContractViolation, match="revision"):
        validate_json("traveloka", "reservations", response.json())
    body = json.dumps({"HotelCode": "H1"}).encode()
    untouched = ota.http.post("/trip_com/openapi/reservations/query", content=body,
                              headers=trip_headers("POST", "/trip_com/openapi/reservations/query", body))
    validate_json("trip_com", "reservations_query_response", untouched.json())


def test_shape_change_renames_an_xml_attribute_in_one_channels_answers(ota):
    ota.reserve("booking_com")
    ota.configure(extra={"shape_change": {"booking_com": "RevisionNumber"}})
    response = ota.http.get("/booking_com/OTA_HotelResNotif", params={"hotel_id": "H1"},
                            auth=("sandbox-bcom", "sandbox-bcom-pass"))
    assert b'RevisionNumber_v2="1"' in response.content
    with pytest.raises(ContractViolation, match="RevisionNumber"):
        validate_xml("booking_com", response.content)


def test_traffic_makes_reservations_until_it_is_switched_off(ota):
    targets = [{"channel": "traveloka", "hotel_code": "H1", "room_code": "DBL", "rate_code": "BAR"},
               {"channel": "agoda", "hotel_code": "H1", "room_code": "TWN", "rate_code": "NRF"}]
    ota.configure(extra={"traffic": {"per_minute": 1200, "targets": targets}})  # one every 50 ms
    time.sleep(1.0)
    ota.configure(extra={})
    made = ota.control("GET", "/reservations")
    assert len(made) >= 5 and {r["channel"] for r in made} <= {"traveloka", "agoda"}
    for reservation in made:
        ahead = (date.fromisoformat(reservation["stay"]["check_in"]) - date.today()).days
        assert 7 <= ahead <= 60
    _, polled = ota.traveloka("GET", "/reservations", "reservations", params={"limit": 200})
    assert len(polled["reservations"]) == sum(len(r["revisions"]) for r in made if r["channel"] == "traveloka")
    time.sleep(0.3)
    assert len(ota.control("GET", "/reservations")) == len(made)  # stopped


def test_traffic_is_checked_before_it_is_taken(ota):
    response = ota.http.post("/_sandbox/config", json={"extra": {"traffic": {"per_minute": 5, "targets": [{}]}}})
    assert response.status_code == 400 and "target" in response.json()["error"]
