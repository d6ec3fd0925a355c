"""What the JSON channels share: reading a reservation or a day of the channel's view through a
table of the channel's field names, and cutting pushes into dates and bounded messages.

Agoda-, Traveloka- and Trip.com-like reservations carry the same facts under different names; one
reader with a name table per channel keeps the checks (every promised field present, amounts as
Decimal, dates as date, status one of three) identical instead of three near-copies.
"""
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from channels.adapters.base import ContractBroken, Reservation, Update
from channels.adapters.http import as_bool, as_date, as_decimal, as_int, field

RESERVATION_FIELDS = ("reservation_id", "revision", "status", "room_code", "rate_code", "check_in", "check_out",
                      "rooms", "guests", "guest_name", "guest_email", "guest_phone", "total", "currency")
OPTIONAL = ("guest_email", "guest_phone")  # a channel may leave these out of a revision


def lookup(channel: str, data: Mapping, path: str):
    """``data["a"]["b"]`` for ``"a.b"``; ContractBroken naming the missing part."""
    value = data
    for key in path.split("."):
        value = field(channel, value, key)
    return value


def reservation(channel: str, data: Mapping, *, names: Mapping[str, str], statuses: Mapping[str, str],
                hotel_code: str) -> Reservation:
    """A Reservation from one JSON object; ``names`` maps our field to the channel's (dotted path)."""
    values = {}
    for ours in RESERVATION_FIELDS:
        theirs = names[ours]
        try:
            values[ours] = lookup(channel, data, theirs)
        except ContractBroken:
            if ours not in OPTIONAL:
                raise
            values[ours] = ""
    status = statuses.get(str(values["status"]))
    if status is None:
        raise ContractBroken(f"{channel}: {names['status']!r} has an unknown value {values['status']!r}.",
                             code=names["status"])
    return Reservation(
        channel=channel,
        reservation_id=str(values["reservation_id"]),
        revision=as_int(channel, names["revision"], values["revision"]),
        status=status,
        hotel_code=str(lookup(channel, data, names["hotel_code"])) if "hotel_code" in names else hotel_code,
        room_code=str(values["room_code"]),
        rate_code=str(values["rate_code"]),
        check_in=as_date(channel, names["check_in"], values["check_in"]),
        check_out=as_date(channel, names["check_out"], values["check_out"]),
        rooms=as_int(channel, names["rooms"], values["rooms"]),
        guests=as_int(channel, names["guests"], values["guests"]),
        guest_name=str(values["guest_name"]),
        guest_email=str(values["guest_email"] or ""),
        guest_phone=str(values["guest_phone"] or ""),
        total=as_decimal(channel, names["total"], values["total"]),
        currency=str(values["currency"]),
        raw=json.dumps(data, sort_keys=True),
    )


def view_days(channel: str, data: Mapping, *, room_code: str, names: Mapping[str, str]) -> list[Update]:
    """One date of the channel's view: one Update per rate plan listed under ``names["rates"]``,
    its values over the room's own (just the room's where no rate plan was pushed). A value the
    view does not state is None."""
    room = _view_update(channel, data, room_code, names, None)
    return [_view_update(channel, rate, room_code, names, room) for rate in data.get(names["rates"]) or []] or [room]


def _view_update(channel: str, data: Mapping, room_code: str, names: Mapping[str, str], room: Update | None) -> Update:
    def get(ours, convert=None):
        value = data.get(names[ours]) if ours in names else None
        if value is None:
            return getattr(room, ours) if room is not None and ours != "rate_code" else None
        return convert(channel, names[ours], value) if convert else value

    if room is None:
        day = as_date(channel, names["date"], field(channel, data, names["date"]))
    else:
        day = room.start
    return Update(
        room_code=str(room.room_code if room is not None else (get("room_code") or room_code)), start=day, end=day,
        rate_code=str(get("rate_code") or ""), available=get("available", as_int),
        price=get("price", as_decimal), currency=str(get("currency") or "USD"),
        min_stay=get("min_stay", as_int), max_stay=get("max_stay", as_int),
        closed_to_arrival=get("closed_to_arrival", _flag), closed_to_departure=get("closed_to_departure", _flag),
        stop_sell=get("stop_sell", _flag),
    )


def _flag(channel: str, name: str, value) -> bool:
    return as_bool(value)


def days(start: date, end: date) -> Iterator[date]:
    """Every date from ``start`` to ``end`` inclusive."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for first in range(0, len(items), size):
        yield items[first:first + size]


def stated(**values) -> dict:
    """Only the values that are set: an Update field left None is not changed on the channel."""
    return {key: value for key, value in values.items() if value is not None}
