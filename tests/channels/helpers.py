"""The sandbox OTA's controls, as the tests use them (plain HTTP: the adapters are under test)."""
import time
from datetime import date

import httpx

from channels.adapters.webhooks import signature

HOTEL, ROOM, RATE = "H1", "DBL", "BAR"
CHECK_IN, CHECK_OUT = date(2027, 1, 10), date(2027, 1, 12)
_client = httpx.Client(timeout=10)  # one pool: a client per call costs tens of milliseconds


def control(sandbox, method: str, path: str, json: dict | None = None, **params):
    response = _client.request(method, sandbox.url + path, json=json, params=params or None)
    assert response.status_code < 400, response.text
    return response.json()


def create(sandbox, channel: str, **stay) -> dict:
    """A reservation made on ``channel`` (and notified, on webhook channels): {reservation_id, revision}."""
    body = {"channel": channel, "hotel_code": HOTEL, "room_code": ROOM, "rate_code": RATE,
            "check_in": CHECK_IN.isoformat(), "check_out": CHECK_OUT.isoformat(), "rooms": 1, "guests": 2,
            "guest_name": "Ana Lopez", "guest_email": "ana@example.com", "guest_phone": "+34600111222",
            "total": "240.00", "currency": "USD"} | stay
    return control(sandbox, "POST", "/_sandbox/reservations", body)


def modify(sandbox, channel: str, reservation_id: str, **changes) -> dict:
    return control(sandbox, "POST", f"/_sandbox/reservations/{channel}/{reservation_id}/modify", changes)


def cancel(sandbox, channel: str, reservation_id: str) -> dict:
    return control(sandbox, "POST", f"/_sandbox/reservations/{channel}/{reservation_id}/cancel", {})


def recorded(sandbox, channel: str, reservation_id: str) -> dict:
    """What the sandbox holds of one reservation, our answers to each revision included."""
    listing = control(sandbox, "GET", "/_sandbox/reservations", channel=channel)
    found = [r for r in listing if r["id"] == reservation_id]
    assert found, f"{reservation_id} not in the sandbox's {channel} reservations"
    return found[0]


def configure(sandbox, **behaviour) -> None:
    control(sandbox, "POST", "/_sandbox/config", behaviour)


def view(sandbox, channel: str, hotel: str = HOTEL) -> dict:
    """What our pushes told the channel: {room: {day: {available, stop_sell, ..., rates: {rate: {...}}}}}."""
    return control(sandbox, "GET", f"/_sandbox/view/{channel}/{hotel}")["rooms"]


HEADERS = {"booking_com": "Bcom", "expedia": "Expedia", "agoda": "Agoda"}


def webhooks_to_nowhere(sandbox, channel: str, secret: str) -> None:
    """Have the channel sign its webhooks with ``secret`` and post them where nothing listens: the
    tests read each delivery from the sandbox's record and hand it to the adapter themselves."""
    control(sandbox, "POST", "/_sandbox/webhooks", {"channel": channel, "url": "http://127.0.0.1:9/", "secret": secret})


def delivery(sandbox, channel: str, reservation_id: str) -> tuple[bytes, dict]:
    """The body and headers of the latest webhook the channel sent about a reservation."""
    sent = [d for d in control(sandbox, "GET", "/_sandbox/deliveries", channel=channel)
            if d["reservation_id"] == reservation_id]
    assert sent, f"no webhook about {reservation_id}"
    prefix = HEADERS[channel]
    return sent[-1]["body"].encode(), {f"X-{prefix}-Timestamp": str(sent[-1]["timestamp"]),
                                       f"X-{prefix}-Signature": sent[-1]["signature"]}


def signed_headers(prefix: str, secret: str, body: bytes, timestamp: int | None = None) -> dict:
    """The headers a channel sends with a webhook, signed here with its secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {f"X-{prefix}-Timestamp": str(timestamp), f"X-{prefix}-Signature": signature(secret, timestamp, body)}


def with_credentials(settings, channel: str, **values) -> None:
    """Change one channel's settings for this test (a copy: the fixture restores the original)."""
    apis = {code: dict(config) for code, config in settings.CHANNEL_APIS.items()}
    apis[channel].update(values)
    settings.CHANNEL_APIS = apis
