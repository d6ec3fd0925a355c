"""Webhook verification of the three webhook channels: a delivery signed with the channel's secret
passes; a forged signature, a tampered body, a stale or future timestamp, a missing or malformed
header are WebhookRejected with a message naming what is wrong. No HTTP: the adapters check
what arrived."""
import json
import time

import pytest

from channels.adapters import adapter_for
from channels.adapters.base import WebhookRejected
from tests.channels.helpers import signed_headers

CHANNELS = {  # channel: (header prefix, a body it sends)
    "booking_com": ("Bcom", json.dumps({"event": "reservation", "hotel_id": "H1", "reservation_id": "R1",
                                        "revision": 3}).encode()),
    "agoda": ("Agoda", json.dumps({"booking_id": "R1", "property_id": "H1", "event": "modify",
                                   "revision": 3}).encode()),
    "expedia": ("Expedia", b'<?xml version="1.0"?><BookingNotification><Booking id="R1" type="Modify" revision="3" '
                           b'createDateTime="2026-11-30T10:00:00Z" status="pending"><Hotel id="H1"/>'
                           b'<RoomStay roomTypeID="DBL" ratePlanID="BAR"><StayDate arrival="2027-01-10" '
                           b'departure="2027-01-12"/><GuestCount adult="2" child="1"/><Total amountAfterTaxes="240.00"'
                           b' currency="USD"/></RoomStay><RoomCount>1</RoomCount><PrimaryGuest><Name givenName="Ana"'
                           b' surname="Lopez"/></PrimaryGuest></Booking></BookingNotification>'),
}


def _secret(settings, channel):
    return settings.CHANNEL_APIS[channel]["webhook_secret"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_correctly_signed_webhook_passes_whatever_the_header_case(settings, channel):
    prefix, body = CHANNELS[channel]
    headers = signed_headers(prefix, _secret(settings, channel), body)
    for arrived in (headers, {k.lower(): v for k, v in headers.items()}, {k.upper(): v for k, v in headers.items()}):
        notice = adapter_for(channel).verify_webhook(body=body, headers=arrived)
        assert (notice.channel, notice.hotel_code, notice.reservation_id, notice.revision) == (channel, "H1", "R1", 3)


def test_the_expedia_notice_carries_the_booking(settings):
    prefix, body = CHANNELS["expedia"]
    notice = adapter_for("expedia").verify_webhook(body=body, headers=signed_headers(prefix, _secret(settings, "expedia"),
                                                                                     body))
    assert (notice.reservation.guests, notice.reservation.guest_name, notice.reservation.status) == (
        3, "Ana Lopez", "modified")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_forged_signature_is_rejected(settings, channel):
    prefix, body = CHANNELS[channel]
    with pytest.raises(WebhookRejected, match="signature does not match"):
        adapter_for(channel).verify_webhook(body=body, headers=signed_headers(prefix, "not-the-secret", body))


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_tampered_body_is_rejected(settings, channel):
    prefix, body = CHANNELS[channel]
    headers = signed_headers(prefix, _secret(settings, channel), body)
    with pytest.raises(WebhookRejected, match="signature does not match"):
        adapter_for(channel).verify_webhook(body=body.replace(b"R1", b"R2"), headers=headers)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_window_is_rejected(settings, channel, offset):
    prefix, body = CHANNELS[channel]
    now = time.time()
    headers = signed_headers(prefix, _secret(settings, channel), body, timestamp=int(now) + offset)
    with pytest.raises(WebhookRejected, match="outside the 300s window"):
        adapter_for(channel).verify_webhook(body=body, headers=headers, now=now)


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_window_follows_the_setting(settings, channel):
    settings.CHANNEL_WEBHOOK_MAX_AGE = 10
    prefix, body = CHANNELS[channel]
    stamp = int(time.time())
    headers = signed_headers(prefix, _secret(settings, channel), body, timestamp=stamp)
    assert adapter_for(channel).verify_webhook(body=body, headers=headers, now=stamp + 10).revision == 3
    with pytest.raises(WebhookRejected, match="10s window"):
        adapter_for(channel).verify_webhook(body=body, headers=headers, now=stamp + 11)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("missing", ["Timestamp", "Signature"])
def test_a_missing_header_is_rejected_by_name(settings, channel, missing):
    prefix, body = CHANNELS[channel]
    headers = signed_headers(prefix, _secret(settings, channel), body)
    del headers[f"X-{prefix}-{missing}"]
    with pytest.raises(WebhookRejected, match=f"x-{prefix.lower()}-{missing.lower()} header is missing"):
        adapter_for(channel).verify_webhook(body=body, headers=headers)


@pytest.mark.parametrize("channel", CHANNELS)
def test_malformed_headers_are_rejected(settings, channel):
    prefix, body = CHANNELS[channel]
    headers = signed_headers(prefix, _secret(settings, channel), body)
    bare = {**headers, f"X-{prefix}-Signature": headers[f"X-{prefix}-Signature"].removeprefix("sha256=")}
    with pytest.raises(WebhookRejected, match="sha256=<hex>"):
        adapter_for(channel).verify_webhook(body=body, headers=bare)
    with pytest.raises(WebhookRejected, match="not unix seconds"):
        adapter_for(channel).verify_webhook(body=body, headers={**headers, f"X-{prefix}-Timestamp": "yesterday"})


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_signed_body_that_is_not_a_notice_is_rejected(settings, channel):
    prefix, _ = CHANNELS[channel]
    body = b'{"hello": "world"}' if channel != "expedia" else b"<BookingNotification/>"
    with pytest.raises(WebhookRejected, match="webhook: the body is not"):
        adapter_for(channel).verify_webhook(body=body, headers=signed_headers(prefix, _secret(settings, channel), body))
