"""Trip.com-like API (``/trip_com/openapi/...``): JSON in an envelope, HMAC-signed requests.

Every request carries ``X-Trip-Key``, ``X-Trip-Timestamp`` (unix seconds, at most 300 s off) and
``X-Trip-Sign``: hex HMAC-SHA256 over ``<timestamp><METHOD><path><body>`` with the secret. Every
answer is ``{"ResponseStatus": {"Ack": "Success|Failure|Processing", "Errors": [...],
"RetryAfter": s}, ...}``; ``Processing`` (``extra.processing_next``) means "ask again after
RetryAfter seconds" and carries nothing else. Reservations are polled with a cursor, as on the
Traveloka-like API; inventory goes as date-range items, at most 200 per call.
"""
import hashlib
import hmac
import os
import time
from functools import wraps

from sandboxes.http import Request
from sandboxes.ota.app import Channel, app, same
from sandboxes.ota.jsontools import Names, cursor, cursor_seq, day, day_json, need, range_item
from sandboxes.ota.store import Reservation, Revision

STATUSES = {"new": "New", "modified": "Modify", "cancelled": "Cancel"}
ERROR_CODES = {400: "InvalidRequest", 401: "AuthFailed", 404: "NotFound", 405: "MethodNotAllowed",
               429: "TooManyRequests", 503: "ServiceUnavailable"}
NAMES = Names(room="RoomCode", rate="RateCode", date="Date", available="Allotment", price="Price",
              currency="Currency", min_stay="MinLOS", max_stay="MaxLOS", closed_to_arrival="CTA",
              closed_to_departure="CTD", stop_sell="StopSell", rates="Rates", start="StartDate", end="EndDate")
MAX_ITEMS = 200
PAGE = 50
MAX_CLOCK_SKEW_S = 300
RETRY_AFTER_S = 1


def _authorized(request: Request) -> bool:
    key = os.environ.get("OTA_TRIP_COM_KEY", "sandbox-trip")
    secret = os.environ.get("OTA_TRIP_COM_SECRET", "sandbox-trip-secret")
    stamp = request.headers.get("x-trip-timestamp", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_CLOCK_SKEW_S:
        return False
    signed = f"{stamp}{request.method}{request.path}".encode() + request.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return (same(request.headers.get("x-trip-key", ""), key)
            and same(request.headers.get("x-trip-sign", ""), expected))


def _error(request: Request, status: int, message: str) -> dict:
    return {"ResponseStatus": {"Ack": "Failure", "Errors": [{"Code": ERROR_CODES.get(status, "Error"),
                                                              "Message": message}]}}


channel = app.channel(Channel("trip_com", _authorized, _error))


def _api(pattern: str):
    """A POST endpoint whose answer goes in the envelope, unless this call is "still processing"."""
    def register(handler):
        @wraps(handler)
        def call(request: Request):
            if app.take("processing_next"):
                return {"ResponseStatus": {"Ack": "Processing", "Errors": [], "RetryAfter": RETRY_AFTER_S}}
            return {"ResponseStatus": {"Ack": "Success", "Errors": []}, **handler(request)}
        return channel.route("POST", pattern)(call)
    return register


def _reservation(reservation: Reservation, revision: Revision) -> dict:
    stay = revision.stay
    return {"OrderId": reservation.id, "Revision": revision.number, "OrderStatus": STATUSES[revision.status],
            "RoomCode": stay["room_code"], "RateCode": stay["rate_code"], "CheckIn": stay["check_in"],
            "CheckOut": stay["check_out"], "RoomCount": stay["rooms"], "GuestCount": stay["guests"],
            "GuestName": stay["guest_name"], "GuestEmail": stay["guest_email"], "GuestPhone": stay["guest_phone"],
            "TotalAmount": stay["total"], "Currency": stay["currency"]}


@_api(r"/openapi/reservations/query")
def query_reservations(request: Request) -> dict:
    data = request.json()
    after = cursor_seq(data.get("Cursor"))
    page = app.store.since("trip_com", need(data, "HotelCode"), after, PAGE)
    with app.store.lock:
        listed = [_reservation(r, rev) for r, rev in page]
    return {"Reservations": listed, "NextCursor": cursor(page[-1][1].seq if page else after)}


@_api(r"/openapi/reservations/confirm")
def confirm(request: Request) -> dict:
    data = request.json()
    revision = app.store.revision("trip_com", need(data, "OrderId"), need(data, "Revision", int),
                                  need(data, "HotelCode"))
    if data.get("Refused") is True:
        app.store.answer(revision, reason=need(data, "Reason"))
    else:
        app.store.answer(revision, confirmation=need(data, "ConfirmationNumber"))
    return {}


@_api(r"/openapi/inventory/update")
def update_inventory(request: Request) -> dict:
    data = request.json()
    hotel, items = need(data, "HotelCode"), need(data, "Items", list)
    if len(items) > MAX_ITEMS:
        raise ValueError(f"{len(items)} Items; at most {MAX_ITEMS} per call")
    changes = [range_item(item, NAMES) for item in items]
    for room, rate, days, room_values, values in changes:
        for one_day in days:
            app.store.apply("trip_com", hotel, room, "", one_day, room_values)
            app.store.apply("trip_com", hotel, room, rate, one_day, values)
    return {}


@_api(r"/openapi/inventory/query")
def query_inventory(request: Request) -> dict:
    data = request.json()
    room = need(data, "RoomCode")
    days = app.store.days("trip_com", need(data, "HotelCode"), room, day(data, "StartDate"), day(data, "EndDate"))
    return {"Days": [day_json(one_day, entry, room, NAMES) for one_day, entry in days]}
