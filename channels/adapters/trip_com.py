"""Trip.com-like: JSON requests signed with HMAC, every answer in a ``ResponseStatus`` envelope.

The signature covers timestamp, method, path and body, so a request cannot be replayed to
another call or altered on the way. The envelope, not the HTTP status, says how a call went:
``Processing`` is the channel's "still working, ask again after RetryAfter seconds"
(StillProcessing, retryable), ``Failure`` is a refusal with the channel's code. No webhooks: the
reservations are polled with a cursor; inventory goes per rate plan (an update naming none is
returned refused, RATE_REQUIRED); no no-show call.
"""
import hashlib
import hmac
import time
from collections.abc import Mapping
from datetime import date

import httpx

from channels.adapters.base import (
    CANCELLED,
    MODIFIED,
    NEW,
    ChannelAdapter,
    ChannelRejected,
    Notice,
    Pull,
    PushResult,
    Reservation,
    StillProcessing,
    Update,
    WebhookRejected,
)
from channels.adapters.common import EVERY_FIELD, chunks, reservation, split_unrated, stated, view_days
from channels.adapters.http import as_decimal, base_url, config, field, parse_json, send, to_json

CODE = "trip_com"
MAX_ITEMS = 200
NAMES = {
    "reservation_id": "OrderId", "revision": "Revision", "status": "OrderStatus", "room_code": "RoomCode",
    "rate_code": "RateCode", "check_in": "CheckIn", "check_out": "CheckOut", "rooms": "RoomCount",
    "guests": "GuestCount", "guest_name": "GuestName", "guest_email": "GuestEmail", "guest_phone": "GuestPhone",
    "total": "TotalAmount", "currency": "Currency",
}
STATUSES = {"New": NEW, "Modify": MODIFIED, "Cancel": CANCELLED}
VIEW_NAMES = {
    "date": "Date", "room_code": "RoomCode", "rate_code": "RateCode", "available": "Allotment", "price": "Price",
    "currency": "Currency", "min_stay": "MinLOS", "max_stay": "MaxLOS", "closed_to_arrival": "CTA",
    "closed_to_departure": "CTD", "stop_sell": "StopSell",
    "rates": "Rates",
}


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over ``<timestamp><METHOD><path><body>``."""
    message = f"{timestamp}{method.upper()}{path}".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _first_error(data: Mapping) -> tuple[str, str]:
    errors = (data.get("ResponseStatus") or {}).get("Errors") or [{}]
    return str(errors[0].get("Code") or ""), str(errors[0].get("Message") or "")


def _error(response: httpx.Response) -> tuple[str, str]:
    return _first_error(response.json())


class TripComAdapter(ChannelAdapter):
    code = CODE
    webhooks = False

    def _call(self, path: str, body: dict) -> dict:
        """POST a signed request; the envelope's Ack decides success, Processing or Failure."""
        url = base_url(CODE) + path
        content, timestamp, settings = to_json(body), str(int(time.time())), config(CODE)
        headers = {
            "Content-Type": "application/json", "Accept": "application/json", "X-Trip-Key": settings["key"],
            "X-Trip-Timestamp": timestamp,
            "X-Trip-Sign": sign(settings["secret"], timestamp, "POST", httpx.URL(url).path, content),
        }
        data = parse_json(CODE, send(CODE, "POST", url, read_error=_error, headers=headers, content=content))
        status = field(CODE, data, "ResponseStatus")
        ack = field(CODE, status, "Ack")
        if ack == "Processing":
            retry_after = float(as_decimal(CODE, "RetryAfter", status.get("RetryAfter", 1)))
            raise StillProcessing(f"trip_com is still processing; ask again in {retry_after:g}s.",
                                  retry_after=retry_after)
        if ack == "Failure":
            code, message = _first_error(data)
            raise ChannelRejected(f"trip_com refused ({code}): {message}", code=code)
        return data

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> Notice:
        raise WebhookRejected("trip_com sends no webhooks: anything claiming to be one is not from it.")

    def fetch(self, *, hotel_code: str, reservation_id: str) -> Reservation:
        """The API has no single-reservation call: the latest revision among a pull from the start
        (every page of the hotel's history, so for repairs and checks, not the polling path)."""
        found = [r for r in self.pull(hotel_code=hotel_code).reservations if r.reservation_id == reservation_id]
        if not found:
            raise ChannelRejected(f"trip_com knows no reservation {reservation_id} at {hotel_code}.", code="404")
        return max(found, key=lambda r: r.revision)

    def pull(self, *, hotel_code: str, cursor: str = "") -> Pull:
        """Every revision after ``cursor``, following NextCursor until no page is left."""
        reservations: list[Reservation] = []
        while True:
            data = self._call("/openapi/reservations/query", {"HotelCode": hotel_code, "Cursor": cursor})
            page = field(CODE, data, "Reservations")
            reservations.extend(reservation(CODE, item, names=NAMES, statuses=STATUSES, hotel_code=hotel_code)
                                for item in page)
            following = str(data.get("NextCursor") or "")
            if not page or not following or following == cursor:
                return Pull(reservations, cursor=following or cursor)
            cursor = following

    def acknowledge(self, *, reservation: Reservation, confirmation: str) -> None:
        self._call("/openapi/reservations/confirm", {
            "HotelCode": reservation.hotel_code, "OrderId": reservation.reservation_id,
            "Revision": reservation.revision, "ConfirmationNumber": confirmation})

    def refuse(self, *, reservation: Reservation, reason: str) -> None:
        self._call("/openapi/reservations/confirm", {
            "HotelCode": reservation.hotel_code, "OrderId": reservation.reservation_id,
            "Revision": reservation.revision, "Refused": True, "Reason": reason})

    def report_no_show(self, *, reservation: Reservation) -> bool:
        return False

    def push(self, *, hotel_code: str, updates: list[Update]) -> PushResult:
        rated, refused = split_unrated(CODE, updates, per_rate=EVERY_FIELD)
        calls = 0
        for part in chunks([_item(update) for update in rated], MAX_ITEMS):
            self._call("/openapi/inventory/update", {"HotelCode": hotel_code, "Items": list(part)})
            calls += 1
        return PushResult(calls=calls, refused=refused)

    def read_back(self, *, hotel_code: str, room_code: str, start: date, end: date) -> list[Update]:
        data = self._call("/openapi/inventory/query", {"HotelCode": hotel_code, "RoomCode": room_code,
                                                       "StartDate": start.isoformat(), "EndDate": end.isoformat()})
        return [update for day in field(CODE, data, "Days")
                for update in view_days(CODE, day, names=VIEW_NAMES)]


def _item(update: Update) -> dict:
    return {"RoomCode": update.room_code, "RateCode": update.rate_code, "StartDate": update.start.isoformat(),
            "EndDate": update.end.isoformat(), **stated(
                Allotment=update.available, Price=None if update.price is None else str(update.price),
                Currency=update.currency if update.price is not None else None, MinLOS=update.min_stay,
                MaxLOS=update.max_stay, CTA=update.closed_to_arrival, CTD=update.closed_to_departure,
                StopSell=update.stop_sell)}
