"""What the sandbox OTA remembers: each channel's reservations with their revisions and our answers,
and each channel's availability view (what our pushes told it).

A channel never shares state with another: the same reservation id or hotel code on two channels
are two unrelated things, as they would be on two real OTAs. Every revision gets a sequence number
that grows per channel across all its reservations; the polled channels' cursors are built on it.
One re-entrant lock guards everything: the server is threaded and background threads (webhooks,
resends, traffic) read and write the same records.
"""
import itertools
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

CHANNELS = ("booking_com", "expedia", "agoda", "traveloka", "trip_com")
NEW, MODIFIED, CANCELLED = "new", "modified", "cancelled"
STAY_FIELDS = ("hotel_code", "room_code", "rate_code", "check_in", "check_out", "rooms", "guests",
               "guest_name", "guest_email", "guest_phone", "total", "currency")
CHANGEABLE = ("check_in", "check_out", "rooms", "guests", "room_code", "rate_code", "total", "currency")


class NotFound(Exception):
    """An unknown reservation or revision; channels answer it with their own 404."""


@dataclass
class Revision:
    number: int
    seq: int  # the channel-wide order of revisions: what a polling cursor counts
    status: str  # new | modified | cancelled
    stay: dict  # every field of STAY_FIELDS: a revision always states the whole stay
    created_at: float = field(default_factory=time.time)
    notified_at: float = 0.0  # the last webhook sent for it (Booking.com-like resends count from here)
    acknowledged: bool = False
    confirmation: str = ""
    refused: bool = False
    reason: str = ""
    escalated: bool = False

    @property
    def answered(self) -> bool:
        return self.acknowledged or self.refused

    @property
    def created(self) -> str:
        return datetime.fromtimestamp(self.created_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Reservation:
    channel: str
    id: str
    hotel_code: str
    revisions: list[Revision] = field(default_factory=list)
    no_show: bool = False

    @property
    def current(self) -> Revision:
        return self.revisions[-1]


def validate_stay(stay: dict) -> dict:
    """The stay as the sandbox keeps it, or ValueError naming the problem (a 400 for the caller)."""
    for name in ("hotel_code", "room_code", "rate_code", "check_in", "check_out"):
        if not isinstance(stay.get(name), str) or not stay[name]:
            raise ValueError(f"{name} is required (a non-empty string)")
    check_in, check_out = date.fromisoformat(stay["check_in"]), date.fromisoformat(stay["check_out"])
    if check_out <= check_in:
        raise ValueError("check_out must be after check_in")
    for name in ("rooms", "guests"):
        if not isinstance(stay.get(name), int) or isinstance(stay[name], bool) or stay[name] < 1:
            raise ValueError(f"{name} must be a positive integer")
    total = Decimal(str(stay.get("total", "100.00")))
    if total < 0:
        raise ValueError("total must not be negative")
    return {**stay, "check_in": check_in.isoformat(), "check_out": check_out.isoformat(),
            "guest_name": str(stay.get("guest_name") or "Sandbox Guest"),
            "guest_email": str(stay.get("guest_email") or ""), "guest_phone": str(stay.get("guest_phone") or ""),
            "total": f"{total:.2f}", "currency": str(stay.get("currency") or "USD")}


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.reservations: dict[tuple[str, str], Reservation] = {}
            self.sequences = {channel: itertools.count(1) for channel in CHANNELS}
            self.ids = itertools.count(1)
            # views[channel][hotel][room][day] = {"available", "stop_sell", ..., "rates": {rate: {...}}}
            self.views: dict[str, dict] = {channel: {} for channel in CHANNELS}

    # --- reservations ---------------------------------------------------------------------------
    def create(self, channel: str, data: dict) -> tuple[Reservation, Revision]:
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
        stay = validate_stay({name: data.get(name) for name in STAY_FIELDS if name in data})
        with self.lock:
            reservation_id = f"{channel.upper().replace('_', '')}-{next(self.ids):06d}"
            reservation = Reservation(channel, reservation_id, stay["hotel_code"])
            self.reservations[(channel, reservation_id)] = reservation
            return reservation, self._revise(reservation, NEW, stay)

    def modify(self, channel: str, reservation_id: str, changes: dict) -> tuple[Reservation, Revision]:
        unknown = set(changes) - set(CHANGEABLE)
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}; only {', '.join(CHANGEABLE)}")
        with self.lock:
            reservation = self.get(channel, reservation_id)
            if reservation.current.status == CANCELLED:
                raise ValueError(f"{reservation_id} is cancelled")
            stay = validate_stay({**reservation.current.stay, **changes})
            return reservation, self._revise(reservation, MODIFIED, stay)

    def cancel(self, channel: str, reservation_id: str) -> tuple[Reservation, Revision]:
        with self.lock:
            reservation = self.get(channel, reservation_id)
            if reservation.current.status == CANCELLED:
                raise ValueError(f"{reservation_id} is already cancelled")
            return reservation, self._revise(reservation, CANCELLED, dict(reservation.current.stay))

    def _revise(self, reservation: Reservation, status: str, stay: dict) -> Revision:
        revision = Revision(len(reservation.revisions) + 1, next(self.sequences[reservation.channel]), status, stay)
        reservation.revisions.append(revision)
        return revision

    def get(self, channel: str, reservation_id: str, hotel_code: str | None = None) -> Reservation:
        with self.lock:
            reservation = self.reservations.get((channel, reservation_id))
        if reservation is None or (hotel_code is not None and reservation.hotel_code != hotel_code):
            raise NotFound(f"no reservation {reservation_id}" + (f" at hotel {hotel_code}" if hotel_code else ""))
        return reservation

    def revision(self, channel: str, reservation_id: str, number: int, hotel_code: str | None = None) -> Revision:
        reservation = self.get(channel, reservation_id, hotel_code)
        if not 1 <= number <= len(reservation.revisions):
            raise NotFound(f"reservation {reservation_id} has no revision {number}")
        return reservation.revisions[number - 1]

    def all(self, channel: str | None = None, hotel_code: str | None = None) -> list[Reservation]:
        with self.lock:
            return [r for r in self.reservations.values()
                    if (channel is None or r.channel == channel) and (hotel_code is None or r.hotel_code == hotel_code)]

    def unanswered(self, channel: str, hotel_code: str) -> list[tuple[Reservation, Revision]]:
        """Every revision of the hotel's reservations neither acknowledged nor refused, in order."""
        with self.lock:
            found = [(r, rev) for r in self.all(channel, hotel_code) for rev in r.revisions if not rev.answered]
        return sorted(found, key=lambda pair: pair[1].seq)

    def since(self, channel: str, hotel_code: str, seq: int, limit: int) -> list[tuple[Reservation, Revision]]:
        """The hotel's revisions after ``seq`` in the order the channel made them (a polling page)."""
        with self.lock:
            found = [(r, rev) for r in self.all(channel, hotel_code) for rev in r.revisions if rev.seq > seq]
        return sorted(found, key=lambda pair: pair[1].seq)[:limit]

    def answer(self, revision: Revision, *, confirmation: str = "", reason: str = "") -> None:
        """Record our acknowledgement (with our confirmation) or refusal (with its reason) of one
        revision; it answers that revision only, never a later one."""
        with self.lock:
            if reason:
                revision.refused, revision.reason = True, reason
            else:
                revision.acknowledged, revision.confirmation = True, confirmation

    def mark_no_show(self, reservation: Reservation) -> None:
        with self.lock:
            reservation.no_show = True

    def describe(self, reservation: Reservation, deliveries: int) -> dict:
        with self.lock:
            current = reservation.current
            return {
                "channel": reservation.channel, "id": reservation.id, "hotel_code": reservation.hotel_code,
                "revision": current.number, "status": current.status, "stay": dict(current.stay),
                "no_show": reservation.no_show, "escalated": any(r.escalated for r in reservation.revisions),
                "deliveries": deliveries,
                "revisions": [{k: v for k, v in asdict(r).items() if k not in ("stay", "created_at", "notified_at")}
                              for r in reservation.revisions],
            }

    # --- availability views ---------------------------------------------------------------------
    def apply(self, channel: str, hotel_code: str, room_code: str, rate_code: str, day: date, values: dict) -> None:
        """Set what a push said for one day. The number available belongs to the room; every other
        value belongs to the rate plan when the push names one, else to the room."""
        values = {k: v for k, v in values.items() if v is not None}
        with self.lock:
            room = self.views[channel].setdefault(hotel_code, {}).setdefault(room_code, {})
            entry = room.setdefault(day.isoformat(), {"rates": {}})
            if "available" in values:
                entry["available"] = values.pop("available")
            target = entry["rates"].setdefault(rate_code, {}) if rate_code else entry
            target.update(values)

    def view(self, channel: str, hotel_code: str, room_code: str | None = None) -> dict:
        """A copy of the channel's view of one hotel (or one room of it): {room: {day: entry}}."""
        with self.lock:
            rooms = self.views[channel].get(hotel_code, {})
            if room_code is not None:
                rooms = {room_code: rooms.get(room_code, {})}
            return {room: {day: {**entry, "rates": {k: dict(v) for k, v in entry["rates"].items()}}
                           for day, entry in sorted(days.items())}
                    for room, days in rooms.items()}

    def days(self, channel: str, hotel_code: str, room_code: str, start: date, end: date) -> list[tuple[date, dict]]:
        """Every day from ``start`` to ``end`` inclusive with what the view holds (maybe nothing)."""
        room = self.view(channel, hotel_code, room_code)[room_code]
        return [(day, room.get(day.isoformat(), {"rates": {}})) for day in date_range(start, end)]


MAX_RANGE_DAYS = 400  # no push or read-back spans more; a longer one is a client bug, answered 400


def date_range(start: date, end: date) -> list[date]:
    """``start`` to ``end`` inclusive, as every channel's date ranges are."""
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError(f"a range spans at most {MAX_RANGE_DAYS} days")
    return [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]
