"""Traveloka-like API (``/traveloka/v1/hotels/<hotel>/...``): JSON, a bearer token, no webhooks.

Reservations are polled with a cursor: each call returns the revisions made after it, in order,
and the cursor to send next time, so every revision is seen once. Inventory goes as date-range
items, at most 200 per call. Errors: ``{"errorCode", "errorMessage"}``.
"""
import os
from datetime import date

from sandboxes.http import Request
from sandboxes.ota.app import Channel, app, same
from sandboxes.ota.jsontools import Names, cursor, cursor_seq, day_json, need, range_item
from sandboxes.ota.store import Reservation, Revision

STATUSES = {"new": "NEW", "modified": "MODIFIED", "cancelled": "CANCELLED"}
ERROR_CODES = {400: "INVALID_REQUEST", 401: "UNAUTHORIZED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
               429: "TOO_MANY_REQUESTS", 503: "SERVICE_UNAVAILABLE"}
NAMES = Names(room="room_id", rate="rate_id", date="date", available="allotment", price="price",
              currency="currency", min_stay="min_los", max_stay="max_los", closed_to_arrival="cta",
              closed_to_departure="ctd", stop_sell="stop_sell", rates="rates", start="start_date", end="end_date")
MAX_ITEMS = 200
MAX_PAGE = 200
HOTEL = r"/v1/hotels/(?P<hotel>[^/]+)"


def _authorized(request: Request) -> bool:
    token = os.environ.get("OTA_TRAVELOKA_TOKEN", "sandbox-traveloka-token")
    return same(request.headers.get("authorization", ""), f"Bearer {token}")


def _error(request: Request, status: int, message: str) -> dict:
    return {"errorCode": ERROR_CODES.get(status, "ERROR"), "errorMessage": message}


channel = app.channel(Channel("traveloka", _authorized, _error))


def _reservation(reservation: Reservation, revision: Revision) -> dict:
    stay = revision.stay
    return {"id": reservation.id, "revision": revision.number, "status": STATUSES[revision.status],
            "room_id": stay["room_code"], "rate_id": stay["rate_code"], "check_in": stay["check_in"],
            "check_out": stay["check_out"], "num_rooms": stay["rooms"], "num_guests": stay["guests"],
            "guest_name": stay["guest_name"], "guest_email": stay["guest_email"], "guest_phone": stay["guest_phone"],
            "total_price": stay["total"], "currency": stay["currency"]}


@channel.route("GET", HOTEL + r"/reservations")
def reservations(request: Request):
    after = cursor_seq(request.query.get("cursor"))
    limit = int(request.query.get("limit", 50))
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
    page = app.store.since("traveloka", request.params["hotel"], after, limit)
    with app.store.lock:
        listed = [_reservation(r, rev) for r, rev in page]
    return {"reservations": listed, "next_cursor": cursor(page[-1][1].seq if page else after)}


def _answer(request: Request, **outcome) -> dict:
    data = request.json()
    revision = app.store.revision("traveloka", request.params["reservation"], need(data, "revision", int),
                                  request.params["hotel"])
    app.store.answer(revision, **{key: need(data, name) for key, name in outcome.items()})
    return {"status": "ok"}


@channel.route("POST", HOTEL + r"/reservations/(?P<reservation>[^/]+)/ack")
def ack(request: Request):
    return _answer(request, confirmation="confirmation_code")


@channel.route("POST", HOTEL + r"/reservations/(?P<reservation>[^/]+)/reject")
def reject(request: Request):
    return _answer(request, reason="reason")


@channel.route("POST", HOTEL + r"/inventory")
def update_inventory(request: Request):
    updates = need(request.json(), "updates", list)
    if len(updates) > MAX_ITEMS:
        raise ValueError(f"{len(updates)} updates; at most {MAX_ITEMS} per call")
    items = [range_item(item, NAMES) for item in updates]
    for room, rate, days, room_values, values in items:
        for one_day in days:
            app.store.apply("traveloka", request.params["hotel"], room, "", one_day, room_values)
            app.store.apply("traveloka", request.params["hotel"], room, rate, one_day, values)
    return {"accepted": len(items)}


@channel.route("GET", HOTEL + r"/inventory")
def read_inventory(request: Request):
    room = request.query["room_id"]
    start, end = date.fromisoformat(request.query["start_date"]), date.fromisoformat(request.query["end_date"])
    days = app.store.days("traveloka", request.params["hotel"], room, start, end)
    return {"days": [day_json(one_day, entry, room, NAMES) for one_day, entry in days]}
