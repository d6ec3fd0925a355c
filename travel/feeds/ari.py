"""ARI messages for one property over a window of nights, from ``inventory``.

Rates carry the base nightly amount per room (before taxes and fees) for one and two guests
and the extra-guest amount; ``TaxFeeInfo`` says the tax is a percent of the stay's room price
per room and the fee an amount per room and night, which is exactly how
``inventory.selectors.stay_quote`` builds a total. Consecutive nights with equal values are
sent as one date range.
"""
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from xml.etree import ElementTree as ET

from catalogue.models import Property
from inventory.models import Rate, RoomNight
from travel.feeds.hotel_list import feed_property_id
from travel.feeds.xml import sub, timestamp, to_bytes

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
REQUESTOR_ID = "lotus-trails"


def _ota_root(tag: str, message_id: str, **attrs) -> ET.Element:
    return ET.Element(tag, {"xmlns": OTA_NS, "EchoToken": message_id, "TimeStamp": timestamp(),
                            "Version": "3.0", **attrs})


def _pos(root: ET.Element) -> None:
    source = sub(sub(root, "POS"), "Source")
    sub(source, "RequestorID", ID=REQUESTOR_ID)


def _runs(rows: Iterable, key: Callable) -> list[tuple[date, date, object]]:
    """Group rows (sorted by date) into (start, end, value) runs of consecutive equal values."""
    runs: list[list] = []
    for row in rows:
        value = key(row)
        if runs and runs[-1][2] == value and runs[-1][1] + timedelta(days=1) == row.date:
            runs[-1][1] = row.date
        else:
            runs.append([row.date, row.date, value])
    return [tuple(r) for r in runs]


def _window(start: date, days: int) -> tuple[date, date]:
    return start, start + timedelta(days=days)


def rates_build(*, prop: Property, start: date, days: int) -> bytes:
    first, end = _window(start, days)
    root = _ota_root("OTA_HotelRateAmountNotifRQ", f"rates-{prop.pk}-{first:%Y%m%d}",
                     NotifType="Overlay", NotifScopeType="ProductRate")
    _pos(root)
    messages = sub(root, "RateAmountMessages", HotelCode=feed_property_id(prop))
    rates = (Rate.objects.filter(room_type__property=prop, date__gte=first, date__lt=end)
             .select_related("room_type", "rate_plan").order_by("room_type__code", "rate_plan__code", "date"))
    by_product: dict[tuple[str, str], list[Rate]] = {}
    for rate in rates:
        by_product.setdefault((rate.room_type.code, rate.rate_plan.code), []).append(rate)
    for (room_code, plan_code), product_rates in by_product.items():
        for run_start, run_end, (single, double, extra) in _runs(
            product_rates, key=lambda r: (r.single, r.double, r.extra_guest)
        ):
            message = sub(messages, "RateAmountMessage")
            sub(message, "StatusApplicationControl", Start=run_start.isoformat(), End=run_end.isoformat(),
                InvTypeCode=room_code, RatePlanCode=plan_code)
            rate_el = sub(sub(message, "Rates"), "Rate")
            amounts = sub(rate_el, "BaseByGuestAmts")
            for guests, amount in ((1, single), (2, double)):
                sub(amounts, "BaseByGuestAmt", AmountBeforeTax=amount, CurrencyCode=prop.currency,
                    NumberOfGuests=guests)
            additional = sub(rate_el, "AdditionalGuestAmounts")
            sub(additional, "AdditionalGuestAmount", Amount=extra, AgeQualifyingCode="10")
    return to_bytes(root)


def taxes_build(*, prop: Property) -> bytes:
    root = ET.Element("TaxFeeInfo", {"timestamp": timestamp(), "id": f"taxes-{prop.pk}", "partner": REQUESTOR_ID})
    entry = sub(root, "Property", action="overlay")
    sub(entry, "ID", feed_property_id(prop))
    tax = sub(sub(entry, "Taxes"), "Tax")
    sub(tax, "Type", "percent")
    sub(tax, "Basis", "room")
    sub(tax, "Period", "stay")
    sub(tax, "Amount", f"{prop.tax_percent:.2f}")
    if prop.fee_per_night:
        fee = sub(sub(entry, "Fees"), "Fee")
        sub(fee, "Type", "amount")
        sub(fee, "Basis", "room")
        sub(fee, "Period", "night")
        sub(fee, "Currency", prop.currency)
        sub(fee, "Amount", prop.fee_per_night)
    return to_bytes(root)


def _nights(prop: Property, start: date, days: int):
    first, end = _window(start, days)
    return (RoomNight.objects.filter(room_type__property=prop, date__gte=first, date__lt=end)
            .select_related("room_type").order_by("room_type__code", "date"))


def _by_room(nights) -> dict[str, list[RoomNight]]:
    grouped: dict[str, list[RoomNight]] = {}
    for night in nights:
        grouped.setdefault(night.room_type.code, []).append(night)
    return grouped


def availability_build(*, prop: Property, start: date, days: int) -> bytes:
    """Open/close (stop-sell or nothing left), arrival/departure closures and min/max stay,
    for every rate plan of the property."""
    root = _ota_root("OTA_HotelAvailNotifRQ", f"avail-{prop.pk}-{start:%Y%m%d}")
    _pos(root)
    messages = sub(root, "AvailStatusMessages", HotelCode=feed_property_id(prop))
    plans = [p.code for p in prop.rate_plans.order_by("code")]
    for room_code, nights in _by_room(_nights(prop, start, days)).items():
        for run_start, run_end, (master, arrival, departure, min_stay, max_stay) in _runs(
            nights,
            key=lambda n: ("Close" if n.stop_sell or n.available <= 0 else "Open",
                           "Close" if n.closed_to_arrival else "Open",
                           "Close" if n.closed_to_departure else "Open", n.min_stay, n.max_stay),
        ):
            for plan_code in plans:
                control = {"Start": run_start.isoformat(), "End": run_end.isoformat(),
                           "InvTypeCode": room_code, "RatePlanCode": plan_code}
                for restriction, status in (("Master", master), ("Arrival", arrival), ("Departure", departure)):
                    message = sub(messages, "AvailStatusMessage")
                    sub(message, "StatusApplicationControl", **control)
                    sub(message, "RestrictionStatus", Restriction=restriction, Status=status)
                message = sub(messages, "AvailStatusMessage")
                sub(message, "StatusApplicationControl", **control)
                stays = sub(message, "LengthsOfStay")
                sub(stays, "LengthOfStay", Time=min_stay, TimeUnit="Day", MinMaxMessageType="SetMinLOS")
                sub(stays, "LengthOfStay", Time=max_stay, TimeUnit="Day", MinMaxMessageType="SetMaxLOS")
    return to_bytes(root)


def inventory_build(*, prop: Property, start: date, days: int) -> bytes:
    """Rooms left to sell per room type and night (stop-sell counts as 0)."""
    root = _ota_root("OTA_HotelInvCountNotifRQ", f"inv-{prop.pk}-{start:%Y%m%d}")
    _pos(root)
    inventories = sub(root, "Inventories", HotelCode=feed_property_id(prop))
    for room_code, nights in _by_room(_nights(prop, start, days)).items():
        for run_start, run_end, count in _runs(nights, key=lambda n: 0 if n.stop_sell else n.available):
            inventory = sub(inventories, "Inventory")
            sub(inventory, "StatusApplicationControl", Start=run_start.isoformat(), End=run_end.isoformat(),
                InvTypeCode=room_code)
            sub(sub(inventory, "InvCounts"), "InvCount", Count=count, CountType="2")
    return to_bytes(root)
