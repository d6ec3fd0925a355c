"""Webhook channels notify every revision with a signed webhook; deliveries are recorded, can be
resent as a replay or re-signed, can be lost; Booking.com-like resends and escalates."""
import json
import time

from channels.contracts import validate_json, validate_xml
from tests.fixtures.worker import wait_for
from tests.sandboxes.ota import signature_ok

PREFIXES = {"booking_com": "bcom", "expedia": "expedia", "agoda": "agoda"}


def _body_ok(webhook: dict) -> None:
    if webhook["channel"] == "expedia":
        validate_xml("expedia", webhook["body"])
    else:
        validate_json(webhook["channel"], "webhook", json.loads(webhook["body"]))


def test_each_revision_arrives_signed_at_the_receiver(ota, receiver):
    for channel, prefix in PREFIXES.items():
        made = ota.reserve(channel)
        ota.control("POST", f"/reservations/{channel}/{made['reservation_id']}/modify", json={"guests": 3})
        ota.control("POST", f"/reservations/{channel}/{made['reservation_id']}/cancel")
        webhooks = receiver.wait(3, channel)
        for webhook in webhooks:
            assert signature_ok(webhook, prefix, f"test-{channel}-secret")
            assert not signature_ok(webhook, prefix, "another-secret")
            assert abs(int(webhook["headers"][f"x-{prefix}-timestamp"]) - time.time()) < 60
            _body_ok(webhook)
    hints = [json.loads(w["body"]) for w in receiver.wait(3, "agoda")]
    assert sorted((h["revision"], h["event"]) for h in hints) == [(1, "new"), (2, "modify"), (3, "cancel")]
    expedia = receiver.wait(3, "expedia")
    assert any(b'type="Cancel" revision="3"' in w["body"] for w in expedia)


def test_without_a_registered_url_webhooks_go_to_the_url_base_with_the_default_secret(
        ota, _receiver_server, monkeypatch):
    _receiver_server.clear()
    monkeypatch.setenv("OTA_WEBHOOK_URL_BASE", _receiver_server.url + "/")
    ota.reserve("agoda")
    webhook = _receiver_server.wait(1, "agoda")[0]
    assert signature_ok(webhook, "agoda", "sandbox-agoda-webhook-secret")


def test_deliveries_are_recorded_and_resent_as_a_replay_or_re_signed(ota, receiver):
    ota.reserve("booking_com")
    first = receiver.wait(1, "booking_com")[0]
    # the sandbox records the answer once our receiver has sent it back: a moment after we saw the body
    assert wait_for(lambda: ota.control("GET", "/deliveries")[0]["status"] is not None, timeout=10)
    delivery = ota.control("GET", "/deliveries")[0]
    assert delivery["status"] == 200 and delivery["channel"] == "booking_com" and delivery["revision"] == 1

    replay = ota.control("POST", f"/deliveries/{delivery['id']}/resend")
    second = receiver.wait(2, "booking_com")[1]
    assert replay["status"] == 200 and replay["resent_from"] == delivery["id"]
    assert second["body"] == first["body"] and second["headers"] == first["headers"]

    time.sleep(1.1)  # a fresh signature has a later timestamp
    ota.control("POST", f"/deliveries/{delivery['id']}/resend", params={"fresh": "1"})
    third = receiver.wait(3, "booking_com")[2]
    assert third["body"] == first["body"]
    assert third["headers"]["x-bcom-timestamp"] != first["headers"]["x-bcom-timestamp"]
    assert signature_ok(third, "bcom", "test-booking_com-secret")


def test_webhooks_off_drops_them_and_records_the_drop(ota, receiver):
    ota.configure(extra={"webhooks_off": ["agoda"]})
    ota.reserve("agoda")
    ota.reserve("expedia")
    receiver.wait(1, "expedia")
    deliveries = {d["channel"]: d for d in ota.control("GET", "/deliveries")}
    assert deliveries["agoda"]["error"] == "dropped (webhooks_off)" and deliveries["agoda"]["status"] is None
    assert not [w for w in receiver.received if w["channel"] == "agoda"]

    ota.configure(extra={"webhooks_off": True})
    ota.reserve("expedia")
    assert ota.control("GET", "/deliveries", params={"channel": "expedia"})[-1]["error"] == "dropped (webhooks_off)"


def test_booking_com_resends_what_we_leave_unanswered_then_escalates(ota, receiver):
    ota.configure(extra={"resend_after_s": 0.3, "escalate_after_s": 1.2})
    answered = ota.reserve("booking_com")["reservation_id"]
    left = ota.reserve("booking_com")["reservation_id"]
    ota.bcom("POST", "/OTA_HotelResNotifRS", ack(answered, 1, "OURS-1"))
    time.sleep(2.0)

    left_state, answered_state = ota.reservation("booking_com", left), ota.reservation("booking_com", answered)
    assert left_state["escalated"] and left_state["deliveries"] >= 3
    assert not answered_state["escalated"] and answered_state["deliveries"] <= 2
    sent = left_state["deliveries"]
    time.sleep(0.5)
    assert ota.reservation("booking_com", left)["deliveries"] == sent  # escalated: no more resends


def test_an_answer_for_an_older_revision_does_not_answer_the_current_one(ota, receiver):
    made = ota.reserve("booking_com")["reservation_id"]
    ota.control("POST", f"/reservations/booking_com/{made}/modify", json={"check_out": "2027-01-14"})
    ota.bcom("POST", "/OTA_HotelResNotifRS", ack(made, 1, "OURS-1"))
    revisions = ota.reservation("booking_com", made)["revisions"]
    assert [(r["number"], r["acknowledged"], r["confirmation"]) for r in revisions] == [
        (1, True, "OURS-1"), (2, False, "")]


def ack(reservation_id: str, revision: int, confirmation: str) -> str:
    return (
        '<OTA_HotelResNotifRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0" '
        'TimeStamp="2027-01-01T10:00:00Z"><HotelReservations>'
        f'<HotelReservation RevisionNumber="{revision}"><UniqueID Type="14" ID="{reservation_id}"/>'
        '<ResGlobalInfo><HotelReservationIDs>'
        f'<HotelReservationID ResID_Type="10" ResID_Value="{confirmation}"/>'
        '</HotelReservationIDs></ResGlobalInfo></HotelReservation></HotelReservations></OTA_HotelResNotifRS>'
    )
