"""Booking.com-like API (``/booking_com``): OpenTravel XML, HTTP basic auth, hint webhooks.

A webhook only says which revision changed; we fetch it (``OTA_HotelResNotif``) and answer each
revision (``OTA_HotelResNotifRS``: acknowledged with our confirmation, or refused with a reason).
Unanswered revisions are notified again and escalated by ``background``. Pushes are deltas over
date ranges, one hotel per request. Every answer is in the OpenTravel namespace; errors are
``<Errors><Error Type Code>message</Error></Errors>`` inside the answer's root.
"""
import base64
import json
import os
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from sandboxes.http import Request
from sandboxes.ota.app import Channel, app, same
from sandboxes.ota.store import Reservation, Revision, date_range
from sandboxes.ota.xmltools import amount, attr, day, element, integer, need, parse, sub

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
RES_STATUS = {"new": "Commit", "modified": "Modify", "cancelled": "Cancel"}
ANSWER_ROOTS = {  # the path asked: the root of its answer (errors included)
    "OTA_HotelResNotif": "OTA_HotelResNotifRS", "OTA_HotelResNotifRS": "OTA_HotelResNotifRS",
    "OTA_HotelAvailNotif": "OTA_HotelAvailNotifRS", "OTA_HotelRateAmountNotif": "OTA_HotelRateAmountNotifRS",
    "availability": "OTA_HotelAvailGetRS", "no_show": "NoShowRS",
}
ERROR_TYPES = {400: "10", 401: "4", 404: "3", 429: "12", 503: "13"}  # OTA error types, roughly


def _authorized(request: Request) -> bool:
    user = os.environ.get("OTA_BOOKING_COM_USER", "sandbox-bcom")
    password = os.environ.get("OTA_BOOKING_COM_PASSWORD", "sandbox-bcom-pass")
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return same(request.headers.get("authorization", ""), expected)


def _root(tag: str) -> ET.Element:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return element(tag, xmlns=OTA_NS, Version="1.0", TimeStamp=stamp)


def _error(request: Request, status: int, message: str) -> ET.Element:
    root = _root(ANSWER_ROOTS.get(request.path.rsplit("/", 1)[-1], "OTA_HotelResNotifRS"))
    sub(sub(root, "Errors"), "Error", message, Type=ERROR_TYPES.get(status, "1"), Code=str(status))
    return root


def _success(tag: str) -> ET.Element:
    root = _root(tag)
    sub(root, "Success")
    return root


def _webhook(reservation: Reservation, revision: Revision) -> tuple[bytes, str]:
    body = {"event": "reservation", "hotel_id": reservation.hotel_code, "reservation_id": reservation.id,
            "revision": revision.number}
    return json.dumps(body).encode(), "application/json"


channel = app.channel(Channel("booking_com", _authorized, _error, _webhook))


def _hotel_reservation(parent: ET.Element, reservation: Reservation, revision: Revision) -> None:
    stay = revision.stay
    node = sub(parent, "HotelReservation", ResStatus=RES_STATUS[revision.status], RevisionNumber=revision.number,
               CreateDateTime=reservation.revisions[0].created, LastModifyDateTime=revision.created)
    sub(node, "UniqueID", Type="14", ID=reservation.id)
    room_stay = sub(sub(node, "RoomStays"), "RoomStay")
    sub(sub(room_stay, "RoomTypes"), "RoomType", RoomTypeCode=stay["room_code"], NumberOfUnits=stay["rooms"])
    sub(sub(room_stay, "RatePlans"), "RatePlan", RatePlanCode=stay["rate_code"])
    sub(sub(room_stay, "GuestCounts"), "GuestCount", AgeQualifyingCode="10", Count=stay["guests"])
    sub(room_stay, "TimeSpan", Start=stay["check_in"], End=stay["check_out"])
    sub(room_stay, "Total", AmountAfterTax=stay["total"], CurrencyCode=stay["currency"])
    sub(room_stay, "BasicPropertyInfo", HotelCode=reservation.hotel_code)
    customer = sub(sub(sub(sub(sub(sub(node, "ResGuests"), "ResGuest"), "Profiles"), "ProfileInfo"), "Profile"),
                   "Customer")
    given, _, surname = stay["guest_name"].partition(" ")
    person = sub(customer, "PersonName")
    sub(person, "GivenName", given)
    sub(person, "Surname", surname or given)
    if stay["guest_phone"]:
        sub(customer, "Telephone", PhoneNumber=stay["guest_phone"])
    if stay["guest_email"]:
        sub(customer, "Email", stay["guest_email"])


@channel.route("GET", r"/OTA_HotelResNotif")
def fetch(request: Request):
    hotel = request.query["hotel_id"]
    reservation_id = request.query.get("reservation_id")
    if reservation_id:
        reservation = app.store.get("booking_com", reservation_id, hotel)
        pending = [(reservation, reservation.current)]
    else:
        pending = app.store.unanswered("booking_com", hotel)
    root = _root("OTA_HotelResNotifRQ")
    listing = sub(root, "HotelReservations")
    with app.store.lock:
        for reservation, revision in pending:
            _hotel_reservation(listing, reservation, revision)
    return root


@channel.route("POST", r"/OTA_HotelResNotifRS")
def answer(request: Request):
    """Acknowledge or refuse revisions; every one named must exist before any is recorded."""
    answers = []
    for node in need(parse(request.body), "HotelReservations").findall("HotelReservation"):
        reservation_id = attr(need(node, "UniqueID"), "ID")
        revision = app.store.revision("booking_com", reservation_id, int(attr(node, "RevisionNumber")))
        refusal = node.find("Errors/Error")
        if refusal is not None:
            answers.append((revision, {"reason": (refusal.text or "").strip() or "refused"}))
        else:
            ours = attr(need(node, "ResGlobalInfo/HotelReservationIDs/HotelReservationID"), "ResID_Value")
            answers.append((revision, {"confirmation": ours}))
    if not answers:
        raise ValueError("<HotelReservations> holds no <HotelReservation>")
    for revision, outcome in answers:
        app.store.answer(revision, **outcome)
    return _success("OTA_HotelResNotifRS")


def _controls(node: ET.Element) -> tuple[str, str, list[date]]:
    control = need(node, "StatusApplicationControl")
    return attr(control, "InvTypeCode"), control.get("RatePlanCode", ""), date_range(day(control, "Start"),
                                                                                       day(control, "End"))


RESTRICTIONS = {"Master": "stop_sell", "Arrival": "closed_to_arrival", "Departure": "closed_to_departure"}


def _avail_values(node: ET.Element) -> dict:
    values = {"available": integer(node, "BookingLimit")}
    for los in node.findall("LengthsOfStay/LengthOfStay"):
        kind = {"SetMinLOS": "min_stay", "SetMaxLOS": "max_stay"}.get(los.get("MinMaxMessageType"))
        if kind is None:
            raise ValueError("<LengthOfStay MinMaxMessageType> must be SetMinLOS or SetMaxLOS")
        values[kind] = int(attr(los, "Time"))
    for restriction in node.findall("RestrictionStatus"):
        name = RESTRICTIONS.get(restriction.get("Restriction", "Master"))
        if name is None or restriction.get("Status") not in ("Open", "Close"):
            raise ValueError("<RestrictionStatus> needs Status Open|Close and Restriction Arrival|Departure|Master")
        values[name] = restriction.get("Status") == "Close"
    return values


def _apply(hotel: str, changes: list[tuple[str, str, list[date], dict]]) -> None:
    for room, rate, days, values in changes:
        for one_day in days:
            app.store.apply("booking_com", hotel, room, rate, one_day, values)


@channel.route("POST", r"/OTA_HotelAvailNotif")
def avail_notif(request: Request):
    messages = need(parse(request.body), "AvailStatusMessages")
    hotel = attr(messages, "HotelCode")
    _apply(hotel, [(*_controls(node), _avail_values(node)) for node in messages.findall("AvailStatusMessage")])
    return _success("OTA_HotelAvailNotifRS")


@channel.route("POST", r"/OTA_HotelRateAmountNotif")
def rate_amount_notif(request: Request):
    messages = need(parse(request.body), "RateAmountMessages")
    hotel = attr(messages, "HotelCode")
    changes = []
    for node in messages.findall("RateAmountMessage"):
        room, rate, days = _controls(node)
        if not rate:
            raise ValueError("<StatusApplicationControl> of a rate amount needs RatePlanCode")
        price = need(node, "Rates/Rate/BaseByGuestAmts/BaseByGuestAmt")
        changes.append((room, rate, days, {"price": amount(attr(price, "AmountAfterTax")),
                                           "currency": attr(price, "CurrencyCode")}))
    _apply(hotel, changes)
    return _success("OTA_HotelRateAmountNotifRS")


def _restrictions(parent: ET.Element, values: dict) -> None:
    for restriction, name in RESTRICTIONS.items():
        if values.get(name) is not None:
            sub(parent, "RestrictionStatus", Status="Close" if values[name] else "Open", Restriction=restriction)


@channel.route("GET", r"/availability")
def availability(request: Request):
    """The view, one ``AvailStatusMessage`` per date: room-level values, then each rate plan's."""
    hotel, room = request.query["hotel_id"], request.query["room_id"]
    start, end = date.fromisoformat(request.query["start"]), date.fromisoformat(request.query["end"])
    root = _root("OTA_HotelAvailGetRS")
    messages = sub(root, "AvailStatusMessages", HotelCode=hotel)
    for one_day, entry in app.store.days("booking_com", hotel, room, start, end):
        node = sub(messages, "AvailStatusMessage", BookingLimit=entry.get("available"))
        sub(node, "StatusApplicationControl", Start=one_day, End=one_day, InvTypeCode=room)
        if entry.get("min_stay") is not None or entry.get("max_stay") is not None:
            lengths = sub(node, "LengthsOfStay")
            for kind, name in (("SetMinLOS", "min_stay"), ("SetMaxLOS", "max_stay")):
                if entry.get(name) is not None:
                    sub(lengths, "LengthOfStay", MinMaxMessageType=kind, Time=entry[name])
        _restrictions(node, entry)
        if entry["rates"]:
            plans = sub(node, "RatePlans")
            for code, rate in sorted(entry["rates"].items()):
                sub(plans, "RatePlan", RatePlanCode=code, AmountAfterTax=rate.get("price"),
                    CurrencyCode=rate.get("currency"), MinLOS=rate.get("min_stay"), MaxLOS=rate.get("max_stay"),
                    ClosedToArrival=rate.get("closed_to_arrival"), ClosedToDeparture=rate.get("closed_to_departure"),
                    StopSell=rate.get("stop_sell"))
    return root


@channel.route("POST", r"/no_show")
def no_show(request: Request):
    reservation = app.store.get("booking_com", attr(need(parse(request.body), "UniqueID"), "ID"))
    app.store.mark_no_show(reservation)
    return _success("NoShowRS")
