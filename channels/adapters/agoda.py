"""Agoda-like: JSON with an ``X-Api-Key`` header; signed webhooks that are only hints.

The webhook names a booking and its revision; the booking itself is fetched, so a forged or stale
hint can at worst make us ask. Availability goes one date and one room type per call (the API has
no ranges): ranges are expanded to dates and every rate plan of the same room type and date
travels in the same call; the calls of one push go out in parallel, each within the rate limit,
the close-outs before the rest. A ``207`` is partial success: the call's refused rate plans come
back as Refusals, narrowed to the date they were refused for.
"""
import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from urllib.parse import quote

import httpx
from django.conf import settings

from channels.adapters.base import (
    CANCELLED,
    MODIFIED,
    NEW,
    ChannelAdapter,
    Notice,
    Pull,
    PushResult,
    Refusal,
    Reservation,
    Update,
    WebhookRejected,
)
from channels.adapters.common import days, reservation, split_unrated, stated, view_days
from channels.adapters.http import base_url, config, field, parse_json, send, to_json
from channels.adapters.webhooks import verify

CODE = "agoda"
NAMES = {
    "reservation_id": "booking_id", "hotel_code": "property_id", "revision": "revision", "status": "status",
    "room_code": "room_type_id", "rate_code": "rate_plan_id", "check_in": "arrival", "check_out": "departure",
    "rooms": "rooms", "guests": "guests", "guest_name": "guest.name", "guest_email": "guest.email",
    "guest_phone": "guest.phone", "total": "total.amount", "currency": "total.currency",
}
STATUSES = {"new": NEW, "modified": MODIFIED, "cancelled": CANCELLED}
VIEW_NAMES = {
    "date": "date", "room_code": "room_type_id", "rate_code": "rate_plan_id", "available": "allotment",
    "stop_sell": "stop_sell", "price": "amount", "currency": "currency", "min_stay": "min_stay",
    "max_stay": "max_stay", "closed_to_arrival": "closed_to_arrival", "closed_to_departure": "closed_to_departure",
    "rates": "rates",
}


def _error(response: httpx.Response) -> tuple[str, str]:
    error = response.json()["error"]
    return error["code"], error["message"]


class AgodaAdapter(ChannelAdapter):
    code = CODE
    webhooks = True
    single_date_pushes = True

    def _call(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> httpx.Response:
        headers = {"X-Api-Key": config(CODE)["api_key"], "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return send(CODE, method, base_url(CODE) + path, read_error=_error, headers=headers, params=params,
                    content=None if body is None else to_json(body))

    def _bookings(self, hotel_code: str) -> str:
        return f"/api/v1/properties/{quote(hotel_code, safe='')}/bookings"

    def _reservation(self, data: Mapping, hotel_code: str) -> Reservation:
        return reservation(CODE, data, names=NAMES, statuses=STATUSES, hotel_code=hotel_code)

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> Notice:
        verify(CODE, secret=config(CODE)["webhook_secret"], prefix="agoda", body=body, headers=headers, now=now)
        try:
            data = json.loads(body)
            return Notice(channel=CODE, hotel_code=str(data["property_id"]), reservation_id=str(data["booking_id"]),
                          revision=int(data["revision"]) if data.get("revision") is not None else None)
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected(f"agoda webhook: the body is not a booking notice ({exc!r}).")

    def fetch(self, *, hotel_code: str, reservation_id: str) -> Reservation:
        path = f"{self._bookings(hotel_code)}/{quote(reservation_id, safe='')}"
        return self._reservation(parse_json(CODE, self._call("GET", path)), hotel_code)

    def pull(self, *, hotel_code: str, cursor: str = "") -> Pull:
        data = parse_json(CODE, self._call("GET", self._bookings(hotel_code), params={"status": "unacknowledged"}))
        return Pull([self._reservation(item, hotel_code) for item in field(CODE, data, "bookings")])

    def _answer(self, reservation: Reservation, action: str, body: dict) -> None:
        path = f"{self._bookings(reservation.hotel_code)}/{quote(reservation.reservation_id, safe='')}/{action}"
        field(CODE, parse_json(CODE, self._call("POST", path, body)), "status")

    def acknowledge(self, *, reservation: Reservation, confirmation: str) -> None:
        self._answer(reservation, "acknowledge", {"revision": reservation.revision, "confirmation": confirmation})

    def refuse(self, *, reservation: Reservation, reason: str) -> None:
        self._answer(reservation, "reject", {"revision": reservation.revision, "reason": reason})

    def report_no_show(self, *, reservation: Reservation) -> bool:
        self._answer(reservation, "no_show", {})
        return True

    def push(self, *, hotel_code: str, updates: list[Update]) -> PushResult:
        """One PUT per (room type, date). Updates overlapping on a date are merged into its call
        field by field, a later one winning where both set a value, as if it had been sent later."""
        updates, refused = split_unrated(CODE, updates)
        calls: dict[tuple[str, date], tuple[dict, dict[str, Update], list[Update]]] = {}
        for update in updates:
            for day in days(update.start, update.end):
                body, by_rate, sources = calls.setdefault(
                    (update.room_code, day), ({"room_type_id": update.room_code, "date": day.isoformat(),
                                               "rates": []}, {}, []))
                sources.append(update)
                body.update(stated(allotment=update.available, stop_sell=update.stop_sell))
                if update.rate_code and (update.price is not None or _restricts(update)):
                    rate = next((r for r in body["rates"] if r["rate_plan_id"] == update.rate_code), None)
                    if rate is None:
                        rate = {"rate_plan_id": update.rate_code}
                        body["rates"].append(rate)
                    rate.update(stated(
                        amount=None if update.price is None else str(update.price),
                        currency=update.currency if update.price is not None else None,
                        min_stay=update.min_stay, max_stay=update.max_stay,
                        closed_to_arrival=update.closed_to_arrival, closed_to_departure=update.closed_to_departure))
                    by_rate[update.rate_code] = update
        path = f"/api/v1/properties/{quote(hotel_code, safe='')}/availability"

        def put(key: tuple[str, date]) -> list[Refusal]:
            body, by_rate, sources = calls[key]
            response = self._call("PUT", path, body)
            results = field(CODE, parse_json(CODE, response), "results")
            return _refusals(results, key[1], by_rate, sources) if response.status_code == 207 else []

        closing = [key for key, (body, _, _) in calls.items() if body.get("allotment") == 0 or body.get("stop_sell")]
        for keys in (closing, [key for key in calls if key not in closing]):  # close-outs are heard first
            for refusals in _in_parallel(put, keys):
                refused.extend(refusals)
        return PushResult(calls=len(calls), refused=refused)

    def read_back(self, *, hotel_code: str, room_code: str, start: date, end: date) -> list[Update]:
        data = parse_json(CODE, self._call(
            "GET", f"/api/v1/properties/{quote(hotel_code, safe='')}/availability",
            params={"room_type_id": room_code, "from": start.isoformat(), "to": end.isoformat()}))
        return [update for day in field(CODE, data, "days")
                for update in view_days(CODE, day, names=VIEW_NAMES)]


def _in_parallel(call, keys: list) -> list:
    """``call`` for every key, ``CHANNEL_AGODA_PUSH_PARALLEL`` at a time (each still takes its own
    rate-limit slot), in the keys' order; the first error is raised once every call has ended, so
    that no call is left running behind the step's outcome."""
    if len(keys) <= 1:
        return [call(key) for key in keys]
    with ThreadPoolExecutor(max_workers=min(len(keys), settings.CHANNEL_AGODA_PUSH_PARALLEL),
                            thread_name_prefix="agoda-push") as pool:
        futures = [pool.submit(call, key) for key in keys]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise errors[0]
    return [f.result() for f in futures]


def _restricts(update: Update) -> bool:
    return any(value is not None for value in (update.min_stay, update.max_stay, update.closed_to_arrival,
                                               update.closed_to_departure))


def _refusals(results: list, day: date, by_rate: dict[str, Update], sources: list[Update]) -> list[Refusal]:
    """The refused updates of one call, narrowed to its date. When every item is refused the room
    type may be (its allotment and stop-sell not applied either): every update of the call is
    returned; otherwise the refused rate plans' updates."""
    errors = {str(item.get("rate_plan_id") or ""): item for item in results
              if isinstance(item, Mapping) and item.get("status") == "error"}
    if not errors:
        return []
    whole_call = len(errors) == len(results) or not set(errors) <= set(by_rate)
    refused = sources if whole_call else [by_rate[rate] for rate in errors]
    fallback = next(iter(errors.values()))
    return [Refusal(update=replace(update, start=day, end=day),
                    code=str(errors.get(update.rate_code, fallback).get("code") or ""),
                    message=str(errors.get(update.rate_code, fallback).get("message") or ""))
            for update in dict.fromkeys(refused)]
