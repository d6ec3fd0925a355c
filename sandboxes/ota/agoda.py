"""Agoda-like API (``/agoda/api/v1/properties/<hotel>/...``): JSON, ``X-Api-Key``, hint webhooks.

Bookings are fetched one by one after a hint webhook (or listed while unacknowledged, the safety
net), then acknowledged, rejected or reported as no-shows. Availability goes one date and one
room type per call; items the channel refuses (``extra.refuse_items``: room or rate plan codes)
are answered per item with ``207`` and are not applied. Errors: ``{"error": {"code", "message"}}``.
"""
import json
import os
from datetime import date

from sandboxes.http import Request, Response
from sandboxes.ota.app import Channel, app, same
from sandboxes.ota.jsontools import Names, day, day_json, need, optional, rate_values
from sandboxes.ota.store import Reservation, Revision

EVENTS = {"new": "new", "modified": "modify", "cancelled": "cancel"}
ERROR_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
               429: "RATE_LIMITED", 503: "SERVICE_UNAVAILABLE"}
NAMES = Names(room="room_type_id", rate="rate_plan_id", date="date", available="allotment", price="amount",
              currency="currency", min_stay="min_stay", max_stay="max_stay", closed_to_arrival="closed_to_arrival",
              closed_to_departure="closed_to_departure", stop_sell="stop_sell", rates="rates")
PROPERTY = r"/api/v1/properties/(?P<hotel>[^/]+)"


def _authorized(request: Request) -> bool:
    return same(request.headers.get("x-api-key", ""),
                               os.environ.get("OTA_AGODA_API_KEY", "sandbox-agoda-key"))


def _error(request: Request, status: int, message: str) -> dict:
    return {"error": {"code": ERROR_CODES.get(status, "ERROR"), "message": message}}


def _webhook(reservation: Reservation, revision: Revision) -> tuple[bytes, str]:
    body = {"booking_id": reservation.id, "property_id": reservation.hotel_code,
            "event": EVENTS[revision.status], "revision": revision.number}
    return json.dumps(body).encode(), "application/json"


channel = app.channel(Channel("agoda", _authorized, _error, _webhook))


def _booking(reservation: Reservation) -> dict:
    with app.store.lock:
        revision = reservation.current
        stay = revision.stay
        return {
            "booking_id": reservation.id, "property_id": reservation.hotel_code, "revision": revision.number,
            "status": revision.status, "room_type_id": stay["room_code"], "rate_plan_id": stay["rate_code"],
            "arrival": stay["check_in"], "departure": stay["check_out"], "rooms": stay["rooms"],
            "guests": stay["guests"],
            "guest": {"name": stay["guest_name"], "email": stay["guest_email"], "phone": stay["guest_phone"]},
            "total": {"amount": stay["total"], "currency": stay["currency"]},
            "acknowledged": revision.acknowledged,
        }


@channel.route("GET", PROPERTY + r"/bookings/(?P<booking>[^/]+)")
def booking(request: Request):
    return _booking(app.store.get("agoda", request.params["booking"], request.params["hotel"]))


@channel.route("GET", PROPERTY + r"/bookings")
def bookings(request: Request):
    """Every booking of the property, or (``status=unacknowledged``) those whose current revision
    we have neither acknowledged nor rejected."""
    status = request.query.get("status")
    if status not in (None, "unacknowledged"):
        raise ValueError("status may only be unacknowledged")
    found = app.store.all("agoda", request.params["hotel"])
    return {"bookings": [_booking(r) for r in found if status is None or not r.current.answered]}


def _answer(request: Request, **outcome) -> dict:
    data = request.json()
    revision = app.store.revision("agoda", request.params["booking"], need(data, "revision", int),
                                  request.params["hotel"])
    app.store.answer(revision, **{key: need(data, name) for key, name in outcome.items()})
    return {"status": "ok"}


@channel.route("POST", PROPERTY + r"/bookings/(?P<booking>[^/]+)/acknowledge")
def acknowledge(request: Request):
    return _answer(request, confirmation="confirmation")


@channel.route("POST", PROPERTY + r"/bookings/(?P<booking>[^/]+)/reject")
def reject(request: Request):
    return _answer(request, reason="reason")


@channel.route("POST", PROPERTY + r"/bookings/(?P<booking>[^/]+)/no_show")
def no_show(request: Request):
    app.store.mark_no_show(app.store.get("agoda", request.params["booking"], request.params["hotel"]))
    return {"status": "ok"}


def _refused(code: str) -> bool:
    return code in (app.extra("refuse_items") or [])


@channel.route("PUT", PROPERTY + r"/availability")
def put_availability(request: Request):
    """One date, one room type: the room's allotment and stop-sell, then each rate plan's values.
    A refused room refuses the whole call's items; a refused rate plan only itself."""
    data, hotel = request.json(), request.params["hotel"]
    room, one_day = need(data, "room_type_id"), day(data, "date")
    rates = need(data, "rates", list)
    room_values = {"available": optional(data, "allotment", int), "stop_sell": optional(data, "stop_sell", bool)}
    items = [(need(rate, "rate_plan_id"), rate_values(rate, NAMES)) for rate in rates]
    room_refused = _refused(room)
    if not room_refused:
        app.store.apply("agoda", hotel, room, "", one_day, room_values)
    results = []
    for code, values in items or [("", {})]:
        if room_refused or _refused(code):
            results.append({"rate_plan_id": code, "status": "error", "code": "ITEM_REFUSED",
                            "message": f"{room if room_refused else code} is not sold on this channel"})
            continue
        if code:
            app.store.apply("agoda", hotel, room, code, one_day, values)
        results.append({"rate_plan_id": code, "status": "ok", "code": "OK", "message": ""})
    partial = any(result["status"] == "error" for result in results)
    return Response(207 if partial else 200, {"results": results})


@channel.route("GET", PROPERTY + r"/availability")
def get_availability(request: Request):
    room = request.query["room_type_id"]
    start, end = date.fromisoformat(request.query["from"]), date.fromisoformat(request.query["to"])
    days = app.store.days("agoda", request.params["hotel"], room, start, end)
    return {"days": [day_json(one_day, entry, room, NAMES) for one_day, entry in days]}
