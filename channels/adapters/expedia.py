"""Expedia-like (EQC/BR-like XML): credentials in every body; webhooks carry the whole booking.

A verified webhook is read into a full Reservation (``Notice.reservation``), so no fetch is
needed; booking retrieval (``eqc/br``, status pending) remains the safety net for lost ones.
Each revision is confirmed with our number, or refused with a reason, by ``eqc/bc``. Pushes are
many date ranges per ``AvailRateUpdateRQ``, at most 100 per message (more is the channel's error
3010), so longer pushes are split into several messages.
"""
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element

import httpx

from channels.adapters.base import (
    CANCELLED,
    MODIFIED,
    NEW,
    ChannelAdapter,
    ChannelRejected,
    ContractBroken,
    Notice,
    Pull,
    PushResult,
    Reservation,
    Update,
    WebhookRejected,
)
from channels.adapters.common import chunks, split_unrated
from channels.adapters.http import (
    as_bool,
    as_date,
    as_decimal,
    as_int,
    attr,
    base_url,
    child,
    children,
    config,
    descendants,
    local,
    node,
    one_per_date,
    parse_xml,
    send,
    to_xml,
    xml_text,
)
from channels.adapters.webhooks import verify

CODE = "expedia"
MAX_RANGES = 100
STATUSES = {"Book": NEW, "Modify": MODIFIED, "Cancel": CANCELLED}
TYPES = {status: kind for kind, status in STATUSES.items()}


def _error(response: httpx.Response) -> tuple[str, str]:
    error = descendants(parse_xml(CODE, response.content), "Error")[0]
    return error.get("code", ""), (error.text or "").strip()


class ExpediaAdapter(ChannelAdapter):
    code = CODE
    webhooks = True

    def _request(self, tag: str, hotel_code: str | None = None) -> Element:
        settings = config(CODE)
        root = node(None, tag)
        node(root, "Authentication", username=settings["user"], password=settings["password"])
        if hotel_code is not None:
            node(root, "Hotel", id=hotel_code)
        return root

    def _call(self, path: str, body: Element) -> Element:
        """POST, parse, and turn an ``Error`` answer (whatever the HTTP status) into a refusal."""
        response = send(CODE, "POST", base_url(CODE) + path, read_error=_error, content=to_xml(body),
                        headers={"Content-Type": "application/xml", "Accept": "application/xml"})
        root = parse_xml(CODE, response.content)
        errors = descendants(root, "Error")
        if errors:
            error, code = errors[0], errors[0].get("code", "")
            raise ChannelRejected(f"expedia refused ({code}): {(error.text or '').strip()}", code=code)
        return root

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> Notice:
        verify(CODE, secret=config(CODE)["webhook_secret"], prefix="expedia", body=body, headers=headers, now=now)
        try:
            root = parse_xml(CODE, body)
            booking = child(CODE, root, "Booking") if local(root.tag) != "Booking" else root
            found = _reservation(booking)
        except ContractBroken as exc:
            raise WebhookRejected(f"expedia webhook: the body is not a booking ({exc.message})")
        return Notice(channel=CODE, hotel_code=found.hotel_code, reservation_id=found.reservation_id,
                      revision=found.revision, reservation=found)

    def _retrieve(self, hotel_code: str, param: Element | None) -> list[Reservation]:
        root = self._request("BookingRetrievalRQ", hotel_code)
        params = node(root, "ParamSet")
        if param is None:
            node(params, "Status", value="pending")
        else:
            params.append(param)
        answer = self._call("/eqc/br", root)
        return [_reservation(booking) for booking in children(CODE, child(CODE, answer, "Bookings"), "Booking")]

    def fetch(self, *, hotel_code: str, reservation_id: str) -> Reservation:
        found = self._retrieve(hotel_code, node(None, "Booking", id=reservation_id))
        if not found:
            raise ContractBroken(f"expedia: the answer for {reservation_id} lacks the element <Booking>.",
                                 code="Booking")
        return max(found, key=lambda r: r.revision)

    def pull(self, *, hotel_code: str, cursor: str = "") -> Pull:
        return Pull(self._retrieve(hotel_code, None))

    def _confirm(self, reservation: Reservation, **outcome) -> None:
        root = self._request("BookingConfirmRQ", reservation.hotel_code)
        node(node(root, "BookingConfirmNumbers"), "BookingConfirmNumber", bookingID=reservation.reservation_id,
             bookingType=TYPES[reservation.status], revision=reservation.revision,
             confirmTime=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **outcome)
        child(CODE, self._call("/eqc/bc", root), "Success")

    def acknowledge(self, *, reservation: Reservation, confirmation: str) -> None:
        self._confirm(reservation, confirmNumber=confirmation)

    def refuse(self, *, reservation: Reservation, reason: str) -> None:
        self._confirm(reservation, status="refused", reason=reason)

    def report_no_show(self, *, reservation: Reservation) -> bool:
        root = self._request("NoShowRQ", reservation.hotel_code)
        node(root, "Booking", id=reservation.reservation_id)
        child(CODE, self._call("/eqc/noshow", root), "Success")
        return True

    def push(self, *, hotel_code: str, updates: list[Update]) -> PushResult:
        updates, refused = split_unrated(CODE, updates)
        calls = 0
        for part in chunks(updates, MAX_RANGES):
            root = self._request("AvailRateUpdateRQ", hotel_code)
            for update in part:
                _range(root, update)
            self._call("/eqc/ar", root)
            calls += 1
        return PushResult(calls=calls, refused=refused)

    def read_back(self, *, hotel_code: str, room_code: str, start: date, end: date) -> list[Update]:
        root = self._request("ProductAvailRateRetrievalRQ", hotel_code)
        params = node(root, "ParamSet")
        node(params, "RoomType", id=room_code)
        node(params, "DateRange", **{"from": start.isoformat(), "to": end.isoformat()})
        answer = self._call("/eqc/parr", root)
        found = one_per_date(CODE, descendants(answer, "AvailRate"), "AvailRate", start, end)
        return [update for day in found for update in _view_days(day, room_code)]


def _range(parent: Element, update: Update) -> None:
    """One AvailRateUpdate: a date range of one room type (and rate plan); unset fields left out."""
    message = node(parent, "AvailRateUpdate")
    node(message, "DateRange", **{"from": update.start.isoformat(), "to": update.end.isoformat()})
    room = node(message, "RoomType", id=update.room_code, closed=None if update.rate_code else update.stop_sell)
    if update.available is not None:
        node(room, "Inventory", totalInventoryAvailable=update.available)
    if not update.rate_code:
        return
    plan = node(room, "RatePlan", id=update.rate_code, closed=update.stop_sell)
    if update.price is not None:
        node(node(plan, "Rate", currency=update.currency), "PerDay", rate=update.price)
    restrictions = {"minLOS": update.min_stay, "maxLOS": update.max_stay,
                    "closedToArrival": update.closed_to_arrival, "closedToDeparture": update.closed_to_departure}
    if any(value is not None for value in restrictions.values()):
        node(plan, "Restrictions", **restrictions)


def _view_days(element: Element, room_code: str) -> list[Update]:
    """One ``AvailRate`` date: one Update per rate plan over the room's own values (just the
    room's where no rate plan was pushed)."""
    day = as_date(CODE, "date", attr(CODE, element, "date"))
    room = child(CODE, element, "RoomType")
    inventory = room.find("{*}Inventory")
    whole = Update(room_code=room.get("id") or room_code, start=day, end=day,
                   available=_number(inventory, "totalInventoryAvailable"), stop_sell=_flag(room, "closed"))
    return [_plan_day(whole, plan) for plan in room.findall("{*}RatePlan")] or [whole]


def _plan_day(room: Update, plan: Element) -> Update:
    rate, limits = plan.find("{*}Rate"), plan.find("{*}Restrictions")
    per_day = None if rate is None else rate.find("{*}PerDay")
    closed = _flag(plan, "closed")
    return replace(
        room, rate_code=attr(CODE, plan, "id"),
        price=None if per_day is None else as_decimal(CODE, "rate", attr(CODE, per_day, "rate")),
        currency=rate.get("currency", "USD") if rate is not None else "USD",
        min_stay=_number(limits, "minLOS"), max_stay=_number(limits, "maxLOS"),
        closed_to_arrival=_flag(limits, "closedToArrival"), closed_to_departure=_flag(limits, "closedToDeparture"),
        stop_sell=room.stop_sell if closed is None else closed,
    )


def _number(element: Element | None, name: str) -> int | None:
    value = None if element is None else element.get(name)
    return None if value is None else as_int(CODE, name, value)


def _flag(element: Element | None, name: str) -> bool | None:
    value = None if element is None else element.get(name)
    return None if value is None else as_bool(value)


def _reservation(booking: Element) -> Reservation:
    kind = attr(CODE, booking, "type")
    if kind not in STATUSES:
        raise ContractBroken(f"expedia: 'type' has an unknown value {kind!r}.", code="type")
    stay = child(CODE, booking, "RoomStay")
    dates, count = child(CODE, stay, "StayDate"), child(CODE, stay, "GuestCount")
    total, guest = child(CODE, stay, "Total"), child(CODE, booking, "PrimaryGuest")
    name, phone = child(CODE, guest, "Name"), guest.find("{*}Phone")
    rooms = child(CODE, booking, "RoomCount").text
    return Reservation(
        channel=CODE,
        reservation_id=attr(CODE, booking, "id"),
        revision=as_int(CODE, "revision", attr(CODE, booking, "revision")),
        status=STATUSES[kind],
        hotel_code=attr(CODE, child(CODE, booking, "Hotel"), "id"),
        room_code=attr(CODE, stay, "roomTypeID"),
        rate_code=attr(CODE, stay, "ratePlanID"),
        check_in=as_date(CODE, "arrival", attr(CODE, dates, "arrival")),
        check_out=as_date(CODE, "departure", attr(CODE, dates, "departure")),
        rooms=as_int(CODE, "RoomCount", rooms),
        guests=as_int(CODE, "adult", attr(CODE, count, "adult")) + as_int(CODE, "child", count.get("child", "0")),
        guest_name=f"{name.get('givenName', '')} {name.get('surname', '')}".strip(),
        guest_email=(guest.findtext("{*}Email") or "").strip(),
        guest_phone=phone.get("number", "") if phone is not None else "",
        total=as_decimal(CODE, "amountAfterTaxes", attr(CODE, total, "amountAfterTaxes")),
        currency=attr(CODE, total, "currency"),
        raw=xml_text(booking),
    )
