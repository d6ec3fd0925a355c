"""Expedia-like API (``/expedia/eqc/...``): XML without namespace, credentials inside every body.

The webhook carries the whole booking (``<BookingNotification><Booking/>``); we confirm each
revision with our number (``BookingConfirmRQ``); until then the booking is ``pending`` and the
retrieval (``BookingRetrievalRQ``) lists it: the safety net for lost webhooks. Pushes carry many
date ranges per message, at most 100 ``AvailRateUpdate`` elements (more: error 3010). Errors are
``<Error code="...">message</Error>`` inside the answer's root.
"""
import os
import xml.etree.ElementTree as ET
from datetime import date

from sandboxes.http import Request, Response
from sandboxes.ota.app import Channel, app, same
from sandboxes.ota.store import Reservation, Revision, date_range
from sandboxes.ota.xmltools import amount, attr, boolean, day, element, integer, need, parse, sub

BOOKING_TYPES = {"new": "Book", "modified": "Modify", "cancelled": "Cancel"}
ANSWER_ROOTS = {"br": "BookingRetrievalRS", "bc": "BookingConfirmRS", "ar": "AvailRateUpdateRS",
                "parr": "ProductAvailRateRetrievalRS", "noshow": "NoShowRS"}
ERROR_CODES = {400: "3000", 401: "1001", 404: "3202", 429: "4000", 503: "5000"}
MAX_UPDATES = 100
TOO_MANY_UPDATES = "3010"


def _authorized(request: Request) -> bool:
    """The ``<Authentication>`` of the body. A body that is not XML passes here: the handler
    answers it 400 (malformed), not 401."""
    try:
        credentials = parse(request.body).find("Authentication")
    except (ET.ParseError, ValueError):
        return True
    if credentials is None:
        return False
    user = os.environ.get("OTA_EXPEDIA_USER", "sandbox-expedia")
    password = os.environ.get("OTA_EXPEDIA_PASSWORD", "sandbox-expedia-pass")
    return (same(credentials.get("username", ""), user)
            and same(credentials.get("password", ""), password))


def _error(request: Request, status: int, message: str, code: str | None = None) -> ET.Element:
    root = element(ANSWER_ROOTS.get(request.path.rsplit("/", 1)[-1], "BookingRetrievalRS"))
    sub(root, "Error", message, code=code or ERROR_CODES.get(status, "5000"))
    return root


def _success(tag: str) -> ET.Element:
    root = element(tag)
    sub(root, "Success")
    return root


def _status(revision: Revision) -> str:
    return "confirmed" if revision.acknowledged else "refused" if revision.refused else "pending"


def booking_element(reservation: Reservation, revision: Revision) -> ET.Element:
    stay = revision.stay
    node = element("Booking", id=reservation.id, type=BOOKING_TYPES[revision.status], revision=revision.number,
                   createDateTime=revision.created, status=_status(revision))
    sub(node, "Hotel", id=reservation.hotel_code)
    room_stay = sub(node, "RoomStay", roomTypeID=stay["room_code"], ratePlanID=stay["rate_code"])
    sub(room_stay, "StayDate", arrival=stay["check_in"], departure=stay["check_out"])
    sub(room_stay, "GuestCount", adult=stay["guests"], child=0)
    sub(room_stay, "Total", amountAfterTaxes=stay["total"], currency=stay["currency"])
    sub(node, "RoomCount", str(stay["rooms"]))
    guest = sub(node, "PrimaryGuest")
    given, _, surname = stay["guest_name"].partition(" ")
    sub(guest, "Name", givenName=given, surname=surname or given)
    if stay["guest_phone"]:
        sub(guest, "Phone", number=stay["guest_phone"])
    if stay["guest_email"]:
        sub(guest, "Email", stay["guest_email"])
    return node


def _webhook(reservation: Reservation, revision: Revision) -> tuple[bytes, str]:
    root = element("BookingNotification")
    with app.store.lock:
        root.append(booking_element(reservation, revision))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), "application/xml"


channel = app.channel(Channel("expedia", _authorized, _error, _webhook))


@channel.route("POST", r"/eqc/br")
def retrieve(request: Request):
    """One booking (``ParamSet/Booking``), the pending ones (``ParamSet/Status value=pending``), or all."""
    rq = parse(request.body)
    hotel = attr(need(rq, "Hotel"), "id")
    one, status = rq.find("ParamSet/Booking"), rq.find("ParamSet/Status")
    if one is not None:
        reservations = [app.store.get("expedia", attr(one, "id"), hotel)]
    else:
        reservations = app.store.all("expedia", hotel)
    root = element("BookingRetrievalRS")
    bookings = sub(root, "Bookings")
    with app.store.lock:
        for reservation in reservations:
            if status is None or _status(reservation.current) == attr(status, "value"):
                bookings.append(booking_element(reservation, reservation.current))
    return root


@channel.route("POST", r"/eqc/bc")
def confirm(request: Request):
    """Our confirmation number (or refusal) per revision; all named revisions must exist first."""
    rq = parse(request.body)
    hotel = attr(need(rq, "Hotel"), "id")
    answers = []
    for node in need(rq, "BookingConfirmNumbers").findall("BookingConfirmNumber"):
        revision = app.store.revision("expedia", attr(node, "bookingID"), int(attr(node, "revision")), hotel)
        if node.get("status") == "refused":
            answers.append((revision, {"reason": attr(node, "reason")}))
        else:
            answers.append((revision, {"confirmation": attr(node, "confirmNumber")}))
    if not answers:
        raise ValueError("<BookingConfirmNumbers> holds no <BookingConfirmNumber>")
    for revision, outcome in answers:
        app.store.answer(revision, **outcome)
    return _success("BookingConfirmRS")


def _update_changes(node: ET.Element) -> list[tuple[str, str, list[date], dict]]:
    days = [d for r in node.findall("DateRange") for d in date_range(day(r, "from"), day(r, "to"))]
    if not days:
        raise ValueError("<AvailRateUpdate> needs a <DateRange>")
    room = need(node, "RoomType")
    room_code = attr(room, "id")
    inventory = room.find("Inventory")
    changes = [(room_code, "", days, {
        "stop_sell": boolean(room, "closed"),
        "available": None if inventory is None else integer(inventory, "totalInventoryAvailable")})]
    for plan in room.findall("RatePlan"):
        values = {"stop_sell": boolean(plan, "closed")}
        rate = plan.find("Rate")
        if rate is not None:
            values |= {"price": amount(attr(need(rate, "PerDay"), "rate")), "currency": attr(rate, "currency")}
        restrictions = plan.find("Restrictions")
        if restrictions is not None:
            values |= {"min_stay": integer(restrictions, "minLOS"), "max_stay": integer(restrictions, "maxLOS"),
                       "closed_to_arrival": boolean(restrictions, "closedToArrival"),
                       "closed_to_departure": boolean(restrictions, "closedToDeparture")}
        changes.append((room_code, attr(plan, "id"), days, values))
    return changes


@channel.route("POST", r"/eqc/ar")
def avail_rate_update(request: Request):
    rq = parse(request.body)
    hotel = attr(need(rq, "Hotel"), "id")
    updates = rq.findall("AvailRateUpdate")
    if len(updates) > MAX_UPDATES:
        return _too_many(request, len(updates))
    changes = [change for node in updates for change in _update_changes(node)]
    for room, rate, days, values in changes:
        for one_day in days:
            app.store.apply("expedia", hotel, room, rate, one_day, values)
    return _success("AvailRateUpdateRS")


def _too_many(request: Request, count: int) -> Response:
    message = f"{count} AvailRateUpdate elements; at most {MAX_UPDATES} per message"
    return Response(400, _error(request, 400, message, TOO_MANY_UPDATES))


@channel.route("POST", r"/eqc/parr")
def product_avail_rate_retrieval(request: Request):
    """The view, one ``<AvailRate date>`` per day, in the shape of the update that set it."""
    rq = parse(request.body)
    hotel = attr(need(rq, "Hotel"), "id")
    room_code = attr(need(rq, "ParamSet/RoomType"), "id")
    dates = need(rq, "ParamSet/DateRange")
    root = element("ProductAvailRateRetrievalRS")
    for one_day, entry in app.store.days("expedia", hotel, room_code, day(dates, "from"), day(dates, "to")):
        room = sub(sub(root, "AvailRate", date=one_day), "RoomType", id=room_code, closed=entry.get("stop_sell"))
        if entry.get("available") is not None:
            sub(room, "Inventory", totalInventoryAvailable=entry["available"])
        for code, values in sorted(entry["rates"].items()):
            plan = sub(room, "RatePlan", id=code, closed=values.get("stop_sell"))
            if values.get("price") is not None:
                sub(sub(plan, "Rate", currency=values.get("currency", "USD")), "PerDay", rate=values["price"])
            sub(plan, "Restrictions", minLOS=values.get("min_stay"), maxLOS=values.get("max_stay"),
                closedToArrival=values.get("closed_to_arrival"), closedToDeparture=values.get("closed_to_departure"))
    return root


@channel.route("POST", r"/eqc/noshow")
def no_show(request: Request):
    reservation = app.store.get("expedia", attr(need(parse(request.body), "Booking"), "id"))
    app.store.mark_no_show(reservation)
    return _success("NoShowRS")
