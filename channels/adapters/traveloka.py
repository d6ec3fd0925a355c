"""Traveloka-like: JSON with a Bearer token, no webhooks, polled with an opaque cursor.

``pull`` follows ``next_cursor`` page by page until a page is empty or the cursor stops moving,
and returns the last cursor: the caller keeps it and starts there next time, so each revision is
seen once. Inventory goes as date ranges of one rate plan, at most 200 per call (an update naming
no rate plan is returned refused, RATE_REQUIRED); there is no no-show call.
"""
from collections.abc import Mapping
from datetime import date
from urllib.parse import quote

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
    Update,
    WebhookRejected,
)
from channels.adapters.common import EVERY_FIELD, chunks, reservation, split_unrated, stated, view_days
from channels.adapters.http import base_url, config, field, parse_json, send, to_json

CODE = "traveloka"
PAGE = 50
MAX_UPDATES = 200
NAMES = {
    "reservation_id": "id", "revision": "revision", "status": "status", "room_code": "room_id",
    "rate_code": "rate_id", "check_in": "check_in", "check_out": "check_out", "rooms": "num_rooms",
    "guests": "num_guests", "guest_name": "guest_name", "guest_email": "guest_email",
    "guest_phone": "guest_phone", "total": "total_price", "currency": "currency",
}
STATUSES = {"NEW": NEW, "MODIFIED": MODIFIED, "CANCELLED": CANCELLED}
VIEW_NAMES = {
    "date": "date", "room_code": "room_id", "rate_code": "rate_id", "available": "allotment", "price": "price",
    "currency": "currency", "min_stay": "min_los", "max_stay": "max_los", "closed_to_arrival": "cta",
    "closed_to_departure": "ctd", "stop_sell": "stop_sell",
    "rates": "rates",
}


def _error(response: httpx.Response) -> tuple[str, str]:
    data = response.json()
    return data["errorCode"], data["errorMessage"]


class TravelokaAdapter(ChannelAdapter):
    code = CODE
    webhooks = False

    def _call(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {config(CODE)['token']}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return parse_json(CODE, send(CODE, method, base_url(CODE) + path, read_error=_error, headers=headers,
                                     params=params, content=None if body is None else to_json(body)))

    def _hotel(self, hotel_code: str) -> str:
        return f"/v1/hotels/{quote(hotel_code, safe='')}"

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> Notice:
        raise WebhookRejected("traveloka sends no webhooks: anything claiming to be one is not from it.")

    def fetch(self, *, hotel_code: str, reservation_id: str) -> Reservation:
        """The API has no single-reservation call: the latest revision among a pull from the start
        (every page of the hotel's history, so for repairs and checks, not the polling path)."""
        found = [r for r in self.pull(hotel_code=hotel_code).reservations if r.reservation_id == reservation_id]
        if not found:
            raise ChannelRejected(f"traveloka knows no reservation {reservation_id} at {hotel_code}.", code="404")
        return max(found, key=lambda r: r.revision)

    def pull(self, *, hotel_code: str, cursor: str = "") -> Pull:
        reservations: list[Reservation] = []
        while True:
            data = self._call("GET", f"{self._hotel(hotel_code)}/reservations",
                              params={"cursor": cursor, "limit": str(PAGE)})
            page = field(CODE, data, "reservations")
            reservations.extend(reservation(CODE, item, names=NAMES, statuses=STATUSES, hotel_code=hotel_code)
                                for item in page)
            following = str(data.get("next_cursor") or "")
            if not page or not following or following == cursor:
                return Pull(reservations, cursor=following or cursor)
            cursor = following

    def acknowledge(self, *, reservation: Reservation, confirmation: str) -> None:
        self._answer(reservation, "ack", {"revision": reservation.revision, "confirmation_code": confirmation})

    def refuse(self, *, reservation: Reservation, reason: str) -> None:
        self._answer(reservation, "reject", {"revision": reservation.revision, "reason": reason})

    def _answer(self, reservation: Reservation, action: str, body: dict) -> None:
        path = f"{self._hotel(reservation.hotel_code)}/reservations/{quote(reservation.reservation_id, safe='')}"
        self._call("POST", f"{path}/{action}", body)

    def report_no_show(self, *, reservation: Reservation) -> bool:
        return False

    def push(self, *, hotel_code: str, updates: list[Update]) -> PushResult:
        rated, refused = split_unrated(CODE, updates, per_rate=EVERY_FIELD)
        calls = 0
        for part in chunks([_item(update) for update in rated], MAX_UPDATES):
            field(CODE, self._call("POST", f"{self._hotel(hotel_code)}/inventory", {"updates": list(part)}),
                  "accepted")
            calls += 1
        return PushResult(calls=calls, refused=refused)

    def read_back(self, *, hotel_code: str, room_code: str, start: date, end: date) -> list[Update]:
        data = self._call("GET", f"{self._hotel(hotel_code)}/inventory",
                          params={"room_id": room_code, "start_date": start.isoformat(),
                                  "end_date": end.isoformat()})
        return [update for day in field(CODE, data, "days")
                for update in view_days(CODE, day, names=VIEW_NAMES)]


def _item(update: Update) -> dict:
    return {"room_id": update.room_code, "rate_id": update.rate_code, "start_date": update.start.isoformat(),
            "end_date": update.end.isoformat(), **stated(
                allotment=update.available, price=None if update.price is None else str(update.price),
                currency=update.currency if update.price is not None else None, min_los=update.min_stay,
                max_los=update.max_stay, cta=update.closed_to_arrival, ctd=update.closed_to_departure,
                stop_sell=update.stop_sell)}

