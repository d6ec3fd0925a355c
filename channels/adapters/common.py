"""What the adapters share: reading a JSON reservation or a day of a JSON channel's view through a
table of the channel's field names; cutting pushes into dates and bounded messages; and, for
every channel, which updates cannot be sent for lack of a rate plan.

Agoda-, Traveloka- and Trip.com-like reservations carry the same facts under different names; one
reader with a name table per channel keeps the checks (every promised field present, amounts as
Decimal, dates as date, status one of three) identical instead of three near-copies.
"""
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta

from channels.adapters.base import ContractBroken, Refusal, Reservation, Update
from channels.adapters.http import as_bool, as_date, as_decimal, as_int, field

RESERVATION_FIELDS = ("reservation_id", "revision", "status", "room_code", "rate_code", "check_in", "check_out",
                      "rooms", "guests", "guest_name", "guest_email", "guest_phone", "total", "currency")


def lookup(channel: str, data: Mapping, path: str):
    """``data["a"]["b"]`` for ``"a.b"``; ContractBroken naming the missing part."""
    value = data
    for key in path.split("."):
        value = field(channel, value, key)
    return value


def reservation(channel: str, data: Mapping, *, names: Mapping[str, str], statuses: Mapping[str, str],
                hotel_code: str) -> Reservation:
    """A Reservation from one JSON object; ``names`` maps our field to the channel's (dotted path)."""
    values = {ours: lookup(channel, data, names[ours]) for ours in RESERVATION_FIELDS}
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


DAY_FIELDS = ("date", "room_code", "available", "stop_sell", "rates")  # a day of the view states each
RATE_FIELDS = ("rate_code", "price", "currency", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure",
               "stop_sell")  # each rate plan of a day states these (null: never pushed)


def view_days(channel: str, data: Mapping, *, names: Mapping[str, str]) -> list[Update]:
    """One date of the channel's view: one Update per rate plan of the day, its values over the
    room's own (just the room's where no rate plan was pushed). Every field must be there; a null
    one (never pushed) is None."""
    room = _view_update(channel, data, names, DAY_FIELDS, None)
    rates = _stated(channel, data, names["rates"]) or []
    return [_view_update(channel, rate, names, RATE_FIELDS, room) for rate in rates] or [room]


def _stated(channel: str, data: Mapping, key: str):
    """``data[key]``, which may be null but must be there (a missing key is a renamed field)."""
    if not isinstance(data, Mapping) or key not in data:
        raise ContractBroken(f"{channel}: the answer lacks the field {key!r}.", code=key)
    return data[key]


def _view_update(channel: str, data: Mapping, names: Mapping[str, str], fields: tuple, room: Update | None) -> Update:
    values = {ours: _stated(channel, data, names[ours]) for ours in fields}

    def get(ours, convert):
        value = values.get(ours)
        if value is None:
            return getattr(room, ours) if room is not None and ours in DAY_FIELDS else None
        return convert(channel, names[ours], value)

    day = room.start if room is not None else as_date(channel, names["date"], values["date"])
    return Update(
        room_code=room.room_code if room is not None else str(values["room_code"]), start=day, end=day,
        rate_code=str(values.get("rate_code") or ""), available=get("available", as_int),
        price=get("price", as_decimal), currency=str(values.get("currency") or "USD"),
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


RATE_LEVEL = ("price", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure")
EVERY_FIELD = ("available", "stop_sell", *RATE_LEVEL)  # channels whose every item names a rate plan


def split_unrated(channel: str, updates: list[Update], *, per_rate: tuple[str, ...] = RATE_LEVEL,
                  ) -> tuple[list[Update], list[Refusal]]:
    """Updates that can be sent, and those that cannot: an update setting a value the channel
    keeps per rate plan (``per_rate``) without naming one is returned refused (RATE_REQUIRED)
    rather than sent without it or dropped in silence; the rest still goes."""
    sendable, refused = [], []
    for update in updates:
        if update.rate_code or all(getattr(update, name) is None for name in per_rate):
            sendable.append(update)
        else:
            refused.append(Refusal(update=update, code="RATE_REQUIRED",
                                   message=f"{channel} keeps {', '.join(per_rate)} per rate plan; "
                                           f"this update names none"))
    return sendable, refused
