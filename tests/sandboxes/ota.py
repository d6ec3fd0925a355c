"""Talking to the sandbox OTA in the tests: every request the tests send and every answer the
sandbox returns goes through channels.contracts, so the tests prove the schemas and the sandbox
agree. A ``Receiver`` is a tiny WSGI app that records the webhooks it gets."""
import hashlib
import hmac
import json
import threading
import time
import xml.etree.ElementTree as ET

import httpx

from channels.contracts import validate_json, validate_xml

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
BCOM_AUTH = ("sandbox-bcom", "sandbox-bcom-pass")
EXPEDIA_AUTH = '<Authentication username="sandbox-expedia" password="sandbox-expedia-pass"/>'
AGODA_KEY = {"X-Api-Key": "sandbox-agoda-key"}
TRAVELOKA_TOKEN = {"Authorization": "Bearer sandbox-traveloka-token"}
TRIP_KEY, TRIP_SECRET = "sandbox-trip", "sandbox-trip-secret"
STAY = {"hotel_code": "H1", "room_code": "DBL", "rate_code": "BAR", "check_in": "2027-01-10",
        "check_out": "2027-01-12", "rooms": 1, "guests": 2, "guest_name": "Ana Lopez",
        "guest_email": "ana@example.com", "total": "240.00", "currency": "USD"}


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find(root: ET.Element, path: str) -> list[ET.Element]:
    """Elements by a /-separated path of local names, whatever the namespace."""
    return root.findall("/".join(f"{{*}}{part}" for part in path.split("/")))


def trip_headers(method: str, path: str, body: bytes, secret: str = TRIP_SECRET, stamp: int | None = None) -> dict:
    stamp = int(time.time()) if stamp is None else stamp
    sign = hmac.new(secret.encode(), f"{stamp}{method}{path}".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Trip-Key": TRIP_KEY, "X-Trip-Timestamp": str(stamp), "X-Trip-Sign": sign,
            "Content-Type": "application/json"}


class OtaClient:
    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.http.close()

    # --- controls ------------------------------------------------------------------------------
    def control(self, method: str, path: str, **kwargs):
        response = self.http.request(method, f"/_sandbox{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def configure(self, **settings):
        return self.control("POST", "/config", json=settings)

    def reserve(self, channel: str, **changes) -> dict:
        return self.control("POST", "/reservations", json={"channel": channel, **STAY, **changes})

    def reservation(self, channel: str, reservation_id: str) -> dict:
        return next(r for r in self.control("GET", "/reservations", params={"channel": channel})
                    if r["id"] == reservation_id)

    # --- the XML channels ----------------------------------------------------------------------
    def xml(self, channel: str, method: str, path: str, body: str | None = None, **kwargs):
        """Call an XML channel; the request (if any) and the answer must meet the contract."""
        if body is not None:
            validate_xml(channel, body)
        response = self.http.request(method, f"/{channel}{path}", content=body, **kwargs)
        assert response.headers["content-type"] == "application/xml", response.text
        validate_xml(channel, response.content)
        return response, ET.fromstring(response.content)

    def bcom(self, method: str, path: str, body: str | None = None, auth=BCOM_AUTH, **kwargs):
        return self.xml("booking_com", method, path, body, auth=auth, **kwargs)

    def expedia(self, path: str, body: str):
        return self.xml("expedia", "POST", f"/eqc/{path}", body)

    # --- the JSON channels ---------------------------------------------------------------------
    def json(self, channel: str, method: str, path: str, answer: str, body=None, request: str = "", **kwargs):
        """Call a JSON channel: ``request`` names the request's message, ``answer`` the answer's
        (an error status is checked as the channel's ``error`` message; 207 is not an error)."""
        if request:
            validate_json(channel, request, body)
        content = None if body is None else json.dumps(body).encode()
        headers = kwargs.pop("headers", {})
        if channel == "trip_com":
            headers = trip_headers(method, f"/trip_com{path}", content or b"") | headers
        response = self.http.request(method, f"/{channel}{path}", content=content, headers=headers, **kwargs)
        data = response.json()
        validate_json(channel, "error" if response.status_code >= 400 else answer, data)
        return response, data

    def agoda(self, method: str, path: str, answer: str, body=None, request: str = "", **kwargs):
        kwargs["headers"] = AGODA_KEY | kwargs.get("headers", {})
        return self.json("agoda", method, f"/api/v1/properties/H1{path}", answer, body, request, **kwargs)

    def traveloka(self, method: str, path: str, answer: str, body=None, request: str = "", **kwargs):
        kwargs["headers"] = TRAVELOKA_TOKEN | kwargs.get("headers", {})
        return self.json("traveloka", method, f"/v1/hotels/H1{path}", answer, body, request, **kwargs)

    def trip(self, path: str, body: dict, request: str, answer: str, **kwargs):
        return self.json("trip_com", "POST", f"/openapi/{path}", answer, body, request, **kwargs)


class Receiver:
    """A webhook receiver: records every POST (path, headers, body) and answers 200."""

    url = ""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[dict] = []

    def clear(self) -> None:
        with self.lock:
            self.received = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        with self.lock:
            self.received.append({"channel": environ["PATH_INFO"].strip("/"), "headers": headers, "body": body})
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def wait(self, count: int, channel: str | None = None, timeout: float = 5.0) -> list[dict]:
        """The first ``count`` webhooks (of a channel), waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                got = [r for r in self.received if channel is None or r["channel"] == channel]
            if len(got) >= count:
                return got
            assert time.monotonic() < deadline, f"{len(got)} webhooks of {count} arrived: {got}"
            time.sleep(0.02)


def signature_ok(webhook: dict, prefix: str, secret: str) -> bool:
    """The check a receiver makes: HMAC-SHA256 over ``<timestamp>.<body>``."""
    stamp = webhook["headers"][f"x-{prefix}-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{stamp}.".encode() + webhook["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(webhook["headers"][f"x-{prefix}-signature"], expected)
