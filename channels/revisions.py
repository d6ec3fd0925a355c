"""A revision's data in our terms, and back: the adapter's ``Reservation`` stored as JSON."""
from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal

from channels.adapters.base import Reservation

_DATES = ("check_in", "check_out")


def reservation_to_data(reservation: Reservation) -> dict:
    data = asdict(reservation)
    data.pop("raw")
    for name in _DATES:
        data[name] = data[name].isoformat()
    data["total"] = str(data["total"])
    return data


def reservation_from_data(data: dict, *, raw: str = "") -> Reservation:
    known = {f.name for f in fields(Reservation)} - {"raw"}
    values = {k: v for k, v in data.items() if k in known}
    for name in _DATES:
        values[name] = date.fromisoformat(values[name])
    values["total"] = Decimal(values["total"])
    return Reservation(**values, raw=raw)
