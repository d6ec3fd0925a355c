"""Booking.com-like: OpenTravel XML with HTTP basic auth; signed webhooks that are only hints.

The webhook says which reservation changed; ``OTA_HotelResNotif`` returns it (or every revision
not yet acknowledged: the safety net, since the channel resends and then escalates what we leave
unanswered). Each revision is answered with ``OTA_HotelResNotifRS``: our confirmation number, or
an ``Error`` with the reason. Pushes are deltas over date ranges, one hotel per request:
availability and restrictions in ``OTA_HotelAvailNotifRQ``, prices in
``OTA_HotelRateAmountNotifRQ``; a call only goes out when some update changes what it carries.
"""
import base64
import json
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
from channels.adapters.common import split_unrated
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
    node,
    one_per_date,
    parse_xml,
    send,
    to_xml,
    xml_text,
)
from channels.adapters.webhooks import verify

CODE = "booking_com"
OTA_NS = "http://www.opentravel.org/OTA/2003/05"
STATUSES = {"Commit": NEW, "Modify": MODIFIED, "Cancel": CANCELLED}
RESTRICTIONS = {"Master": "stop_sell", "Arrival": "closed_to_arrival", "Departure": "closed_to_departure"}
REFUSED = ("3", "392")  # OpenTravel error type 3 (business rule), code 392 (invalid hotel/booking)


def _error(response: httpx.Response) -> tuple[str, str]:
    error = parse_xml(CODE, response.content).find(".//{*}Error")
    return error.get("Code", ""), (error.text or "").strip()


def _ota(tag: str) -> Element:
    return node(None, tag, xmlns=OTA_NS, Version="1.0", TimeStamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


class BookingComAdapter(ChannelAdapter):
    code = CODE
    webhooks = True

    def _call(self, method: str, path: str, body: Element | None = None, params: dict | None = None) -> Element:
        """Send, parse, and turn an answer carrying ``Errors`` instead of ``Success`` into a refusal."""
        settings = config(CODE)
        credentials = base64.b64encode(f"{settings['user']}:{settings['password']}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}", "Accept": "application/xml"}
        if body is not None:
            headers["Content-Type"] = "application/xml"
        response = send(CODE, method, base_url(CODE) + path, read_error=_error, headers=headers, params=params,
                        content=None if body is None else to_xml(body))
        root = parse_xml(CODE, response.content)
        error = root.find("{*}Errors/{*}Error")
        if error is not None:
            code = error.get("Code", "")
            raise ChannelRejected(f"booking_com refused ({code}): {(error.text or '').strip()}", code=code)
        return root

    def _success(self, root: Element) -> None:
        child(CODE, root, "Success")

    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> Notice:
        verify(CODE, secret=config(CODE)["webhook_secret"], prefix="bcom", body=body, headers=headers, now=now)
        try:
            data = json.loads(body)
            return Notice(channel=CODE, hotel_code=str(data["hotel_id"]), reservation_id=str(data["reservation_id"]),
                          revision=int(data["revision"]) if data.get("revision") is not None else None)
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRejected(f"booking_com webhook: the body is not a reservation notice ({exc!r}).")

    def _notif(self, params: dict) -> list[Reservation]:
        root = self._call("GET", "/OTA_HotelResNotif", params=params)
        return [_reservation(element, params["hotel_id"])
                for element in children(CODE, child(CODE, root, "HotelReservations"), "HotelReservation")]

    def fetch(self, *, hotel_code: str, reservation_id: str) -> Reservation:
        found = self._notif({"hotel_id": hotel_code, "reservation_id": reservation_id})
        if not found:
            raise ContractBroken(f"booking_com: the answer for {reservation_id} lacks the element <HotelReservation>.",
                                 code="HotelReservation")
        return max(found, key=lambda r: r.revision)

    def pull(self, *, hotel_code: str, cursor: str = "") -> Pull:
        return Pull(self._notif({"hotel_id": hotel_code}))

    def _answer(self, reservation: Reservation, *, confirmation: str = "", reason: str = "") -> None:
        root = _ota("OTA_HotelResNotifRS")
        answered = node(node(root, "HotelReservations"), "HotelReservation", RevisionNumber=reservation.revision)
        node(answered, "UniqueID", Type="14", ID=reservation.reservation_id)
        if reason:
            node(node(answered, "Errors"), "Error", reason, Type=REFUSED[0], Code=REFUSED[1])
        else:
            ids = node(node(answered, "ResGlobalInfo"), "HotelReservationIDs")
            node(ids, "HotelReservationID", ResID_Type="10", ResID_Value=confirmation)
        self._success(self._call("POST", "/OTA_HotelResNotifRS", root))

    def acknowledge(self, *, reservation: Reservation, confirmation: str) -> None:
        self._answer(reservation, confirmation=confirmation)

    def refuse(self, *, reservation: Reservation, reason: str) -> None:
        self._answer(reservation, reason=reason)

    def report_no_show(self, *, reservation: Reservation) -> bool:
        root = node(None, "NoShowRQ", xmlns=OTA_NS)
        node(root, "UniqueID", ID=reservation.reservation_id)
        self._success(self._call("POST", "/no_show", root))
        return True

    def push(self, *, hotel_code: str, updates: list[Update]) -> PushResult:
        updates, refused = split_unrated(CODE, updates, per_rate=("price",))  # restrictions may be per room
        calls = 0
        avail = [u for u in updates if _restricts(u) or u.available is not None]
        if avail:
            root = _ota("OTA_HotelAvailNotifRQ")
            messages = node(root, "AvailStatusMessages", HotelCode=hotel_code)
            for update in avail:
                _avail_message(messages, update)
            self._success(self._call("POST", "/OTA_HotelAvailNotif", root))
            calls += 1
        priced = [u for u in updates if u.price is not None]
        if priced:
            root = _ota("OTA_HotelRateAmountNotifRQ")
            messages = node(root, "RateAmountMessages", HotelCode=hotel_code)
            for update in priced:
                message = node(messages, "RateAmountMessage")
                _control(message, update)
                amounts = node(node(node(message, "Rates"), "Rate"), "BaseByGuestAmts")
                node(amounts, "BaseByGuestAmt", AmountAfterTax=update.price, CurrencyCode=update.currency)
            self._success(self._call("POST", "/OTA_HotelRateAmountNotif", root))
            calls += 1
        return PushResult(calls=calls, refused=refused)

    def read_back(self, *, hotel_code: str, room_code: str, start: date, end: date) -> list[Update]:
        root = self._call("GET", "/availability", params={"hotel_id": hotel_code, "room_id": room_code,
                                                          "start": start.isoformat(), "end": end.isoformat()})
        messages = one_per_date(CODE, children(CODE, child(CODE, root, "AvailStatusMessages"), "AvailStatusMessage"),
                                "AvailStatusMessage", start, end)
        return [update for message in messages for update in _view_days(message, room_code)]


def _restricts(update: Update) -> bool:
    return any(value is not None for value in (update.min_stay, update.max_stay, update.closed_to_arrival,
                                               update.closed_to_departure, update.stop_sell))


def _control(message: Element, update: Update) -> None:
    node(message, "StatusApplicationControl", Start=update.start.isoformat(), End=update.end.isoformat(),
         InvTypeCode=update.room_code, RatePlanCode=update.rate_code or None)


def _avail_message(parent: Element, update: Update) -> Element:
    """One AvailStatusMessage: booking limit, lengths of stay and each restriction that is set."""
    message = node(parent, "AvailStatusMessage", BookingLimit=update.available)
    _control(message, update)
    if update.min_stay is not None or update.max_stay is not None:
        stays = node(message, "LengthsOfStay")
        for kind, value in (("SetMinLOS", update.min_stay), ("SetMaxLOS", update.max_stay)):
            if value is not None:
                node(stays, "LengthOfStay", MinMaxMessageType=kind, Time=value)
    for name, closed in RESTRICTIONS.items():
        value = getattr(update, closed)
        if value is not None:
            node(message, "RestrictionStatus", Status="Close" if value else "Open", Restriction=name)
    return message


def _view_days(message: Element, room_code: str) -> list[Update]:
    """One date of the view: the room's own values, then one Update per rate plan (its price and
    restrictions over the room's); just the room's where no rate plan was pushed."""
    control = child(CODE, message, "StatusApplicationControl")
    day = as_date(CODE, "Start", attr(CODE, control, "Start"))
    limit = message.get("BookingLimit")
    stays = {s.get("MinMaxMessageType"): s.get("Time") for s in message.iterfind("{*}LengthsOfStay/{*}LengthOfStay")}
    closed = {s.get("Restriction"): s.get("Status") == "Close" for s in message.iterfind("{*}RestrictionStatus")}
    room = Update(
        room_code=control.get("InvTypeCode") or room_code, start=day, end=day,
        available=None if limit is None else as_int(CODE, "BookingLimit", limit),
        min_stay=_number("SetMinLOS", stays.get("SetMinLOS")), max_stay=_number("SetMaxLOS", stays.get("SetMaxLOS")),
        closed_to_arrival=closed.get("Arrival"), closed_to_departure=closed.get("Departure"),
        stop_sell=closed.get("Master"),
    )
    plans = message.findall("{*}RatePlans/{*}RatePlan")
    return [_plan_day(room, plan) for plan in plans] or [room]


def _plan_day(room: Update, plan: Element) -> Update:
    price = plan.get("AmountAfterTax")
    return replace(
        room, rate_code=attr(CODE, plan, "RatePlanCode"),
        price=None if price is None else as_decimal(CODE, "AmountAfterTax", price),
        currency=plan.get("CurrencyCode") or room.currency,
        min_stay=_number("MinLOS", plan.get("MinLOS"), room.min_stay),
        max_stay=_number("MaxLOS", plan.get("MaxLOS"), room.max_stay),
        closed_to_arrival=_flag(plan.get("ClosedToArrival"), room.closed_to_arrival),
        closed_to_departure=_flag(plan.get("ClosedToDeparture"), room.closed_to_departure),
        stop_sell=_flag(plan.get("StopSell"), room.stop_sell),
    )


def _number(name: str, value: str | None, default: int | None = None) -> int | None:
    return default if value is None else as_int(CODE, name, value)


def _flag(value: str | None, default: bool | None) -> bool | None:
    return default if value is None else as_bool(value)


def _reservation(element: Element, hotel_code: str) -> Reservation:
    status = attr(CODE, element, "ResStatus")
    if status not in STATUSES:
        raise ContractBroken(f"booking_com: 'ResStatus' has an unknown value {status!r}.", code="ResStatus")
    stay = child(CODE, element, "RoomStays/RoomStay")
    room = child(CODE, stay, "RoomTypes/RoomType")
    span, total = child(CODE, stay, "TimeSpan"), child(CODE, stay, "Total")
    guests = sum(as_int(CODE, "Count", attr(CODE, count, "Count"))
                 for count in children(CODE, child(CODE, stay, "GuestCounts"), "GuestCount"))
    customer = child(CODE, element, "ResGuests/ResGuest/Profiles/ProfileInfo/Profile/Customer")
    name = child(CODE, customer, "PersonName")
    given, surname = (name.findtext("{*}GivenName") or "").strip(), (name.findtext("{*}Surname") or "").strip()
    phone = customer.find("{*}Telephone")
    property_info = stay.find("{*}BasicPropertyInfo")
    return Reservation(
        channel=CODE,
        reservation_id=attr(CODE, child(CODE, element, "UniqueID"), "ID"),
        revision=as_int(CODE, "RevisionNumber", attr(CODE, element, "RevisionNumber")),
        status=STATUSES[status],
        hotel_code=property_info.get("HotelCode", hotel_code) if property_info is not None else hotel_code,
        room_code=attr(CODE, room, "RoomTypeCode"),
        rate_code=attr(CODE, child(CODE, stay, "RatePlans/RatePlan"), "RatePlanCode"),
        check_in=as_date(CODE, "Start", attr(CODE, span, "Start")),
        check_out=as_date(CODE, "End", attr(CODE, span, "End")),
        rooms=as_int(CODE, "NumberOfUnits", room.get("NumberOfUnits", "1")),
        guests=guests,
        guest_name=f"{given} {surname}".strip(),
        guest_email=(customer.findtext("{*}Email") or "").strip(),
        guest_phone=phone.get("PhoneNumber", "") if phone is not None else "",
        total=as_decimal(CODE, "AmountAfterTax", attr(CODE, total, "AmountAfterTax")),
        currency=attr(CODE, total, "CurrencyCode"),
        raw=xml_text(element),
    )

