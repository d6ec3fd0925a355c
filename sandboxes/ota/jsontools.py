"""What the JSON channels (Agoda-, Traveloka-, Trip.com-like) share: reading typed fields from a
request (a wrong type is a 400 naming the field), the polling cursor, and their availability
items and read-back days, which differ only in their key names (``Names``)."""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sandboxes.ota.store import date_range


def need(data: dict, key: str, kind: type | tuple = str):
    """``data[key]``, which must be there and of ``kind`` (bool is never an int here)."""
    if not isinstance(data, dict) or key not in data:
        raise ValueError(f"{key} is required")
    return check(data, key, kind)


def optional(data: dict, key: str, kind: type | tuple):
    return None if data.get(key) is None else check(data, key, kind)


def check(data: dict, key: str, kind: type | tuple):
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise ValueError(f"{key} must be {' or '.join(k.__name__ for k in kinds)}")
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise ValueError(f"{key} must not be negative")
    return value


def day(data: dict, key: str) -> date:
    return date.fromisoformat(need(data, key))


def money(data: dict, key: str) -> str | None:
    value = optional(data, key, (str, int, float))
    if value is None:
        return None
    try:
        return f"{Decimal(str(value)):.2f}"
    except InvalidOperation:
        raise ValueError(f"{key} must be an amount")


def cursor(seq: int) -> str:
    """Opaque to the client: it only ever sends back what it was given."""
    return f"r{seq}"


def cursor_seq(value: str | None) -> int:
    if not value:
        return 0
    match = re.fullmatch(r"r(\d+)", value)
    if not match:
        raise ValueError("cursor is not one this API gave out")
    return int(match.group(1))


@dataclass(frozen=True)
class Names:
    """A channel's key for each value of the view (the store's names on the left)."""

    room: str
    rate: str
    date: str
    available: str
    price: str
    currency: str
    min_stay: str
    max_stay: str
    closed_to_arrival: str
    closed_to_departure: str
    stop_sell: str
    rates: str
    start: str = ""
    end: str = ""


RATE_VALUES = ("currency", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "stop_sell")
KINDS = {"currency": str, "min_stay": int, "max_stay": int, "closed_to_arrival": bool,
         "closed_to_departure": bool, "stop_sell": bool}


def rate_values(item: dict, names: Names) -> dict:
    """The rate-level values an item sets (None: not changed)."""
    values = {name: optional(item, getattr(names, name), KINDS[name]) for name in RATE_VALUES}
    return values | {"price": money(item, names.price)}


def range_item(item: dict, names: Names) -> tuple[str, str, list[date], dict, dict]:
    """One date-range item: (room, rate, days, room-level values, rate-level values)."""
    room, rate = need(item, names.room), need(item, names.rate)
    days = date_range(day(item, names.start), day(item, names.end))
    return room, rate, days, {"available": optional(item, names.available, int)}, rate_values(item, names)


def day_json(one_day: date, entry: dict, room: str, names: Names) -> dict:
    """One day of the view in the channel's names (null where no push said anything)."""
    return {
        names.date: one_day.isoformat(), names.room: room, names.available: entry.get("available"),
        names.stop_sell: entry.get("stop_sell"),
        names.rates: [{names.rate: code, names.price: values.get("price"),
                       **{getattr(names, name): values.get(name) for name in RATE_VALUES}}
                      for code, values in sorted(entry["rates"].items())],
    }
