"""Transaction (Property Data) messages: the rooms and packages of a property and the exact
price of a grid of itineraries (check-in x nights, 2 guests, 1 room), each priced by
``inventory.selectors.stay_quote`` (the hotel page's function): Baserate + Tax + OtherFees
is the total the page shows and checkout charges."""
from datetime import date, timedelta
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError

from catalogue.models import Property
from inventory.selectors import stay_quote
from inventory.stays import Stay
from travel.feeds.hotel_list import feed_property_id
from travel.feeds.xml import sub, timestamp, to_bytes

GUESTS = 2


def _text(parent: ET.Element, tag: str, text: str) -> None:
    sub(sub(parent, tag), "Text", text=text, language="en")


def _property_data(root: ET.Element, prop: Property, room_types, plans) -> None:
    data = sub(root, "PropertyDataSet", action="overlay")
    sub(data, "Property", feed_property_id(prop))
    for room in room_types:
        room_data = sub(data, "RoomData")
        sub(room_data, "RoomID", room.code)
        _text(room_data, "Name", room.name)
        _text(room_data, "Description", room.description or room.name)
        sub(room_data, "Capacity", room.max_occupancy)
        sub(room_data, "Occupancy", room.max_occupancy)
    for plan in plans:
        package = sub(data, "PackageData")
        sub(package, "PackageID", plan.code)
        _text(package, "Name", plan.name)
        if plan.refundable:
            sub(package, "Refundable", available="1", refundable_until_days=plan.free_cancellation_days)
        else:
            sub(package, "Refundable", available="0")
        sub(package, "BreakfastIncluded", "1" if plan.breakfast_included else "0")


def _result(root: ET.Element, prop: Property, stay: Stay, room_types, plans) -> None:
    result = sub(root, "Result")
    sub(result, "Property", feed_property_id(prop))
    sub(result, "Checkin", stay.check_in.isoformat())
    sub(result, "Nights", stay.nights)
    quotes = [
        (room, plan, stay_quote(room_type=room, rate_plan=plan, stay=stay))
        for room in room_types for plan in plans
    ]
    bookable = [(room, plan, q) for room, plan, q in quotes if q.bookable]
    if not bookable:
        sub(sub(result, "Unavailable"), "NoVacancy")
        return
    _, _, lowest = min(bookable, key=lambda item: item[2].total)
    _amounts(result, lowest)
    sub(result, "Occupancy", GUESTS)
    for room, plan, quote in bookable:
        bundle = sub(result, "RoomBundle")
        sub(bundle, "RoomID", room.code)
        sub(bundle, "PackageID", plan.code)
        _amounts(bundle, quote)
        sub(bundle, "Occupancy", GUESTS)


def _amounts(parent: ET.Element, quote) -> None:
    sub(parent, "Baserate", quote.room_total, currency=quote.currency)
    sub(parent, "Tax", quote.taxes, currency=quote.currency)
    sub(parent, "OtherFees", quote.fees, currency=quote.currency)


def transaction_build(*, prop: Property, start: date, checkin_days: int, nights: tuple[int, ...]) -> bytes:
    root = ET.Element("Transaction", {"timestamp": timestamp(), "id": f"tx-{prop.pk}-{start:%Y%m%d}"})
    room_types = list(prop.room_types.select_related("property").order_by("code"))
    for room in room_types:
        room.property = prop
    plans = list(prop.rate_plans.order_by("code"))
    _property_data(root, prop, room_types, plans)
    for offset in range(checkin_days):
        check_in = start + timedelta(days=offset)
        for length in nights:
            try:
                stay = Stay(check_in, check_in + timedelta(days=length), rooms=1, guests=GUESTS)
            except ValidationError:
                continue
            _result(root, prop, stay, room_types, plans)
    return to_bytes(root)
