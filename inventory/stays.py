"""A stay: the dates a guest asks for, checked once so that every layer can trust them.

Dates are the hotel's: a stay built with ``today=prop.local_today()`` is checked against the
hotel's calendar. Without it (a search across places, before a hotel is chosen) a check-in is
accepted while that date is still today somewhere on Earth; ``inventory_reserve`` checks it
again against the hotel's own date.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import timezone as fixed_offset

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

MAX_NIGHTS = 30
MAX_ROOMS = 9
MAX_GUESTS_PER_ROOM = 8
BOOKING_HORIZON_DAYS = 550
EARLIEST_ZONE = fixed_offset(timedelta(hours=-12))  # the last calendar on Earth to leave a date
LATEST_ZONE = fixed_offset(timedelta(hours=14))  # the first to reach one


@dataclass(frozen=True)
class Stay:
    check_in: date
    check_out: date
    rooms: int = 1
    guests: int = 2
    today: date | None = field(default=None, kw_only=True, compare=False, repr=False)

    def __post_init__(self):
        validate_stay(self.check_in, self.check_out, rooms=self.rooms, guests=self.guests, today=self.today)

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def dates(self) -> list[date]:
        """Every night of the stay, in date order (the order nights are locked in)."""
        return [self.check_in + timedelta(days=i) for i in range(self.nights)]

    @property
    def guests_per_room(self) -> int:
        return -(-self.guests // self.rooms)


def today_somewhere(*, now: datetime | None = None) -> tuple[date, date]:
    """The earliest and the latest date that is today somewhere on Earth (UTC-12 to UTC+14)."""
    now = now or timezone.now()
    return now.astimezone(EARLIEST_ZONE).date(), now.astimezone(LATEST_ZONE).date()


def validate_stay(check_in: date, check_out: date, *, rooms: int = 1, guests: int = 1,
                  today: date | None = None) -> None:
    """Raise ValidationError with a message a traveller understands. ``today`` is the hotel's
    local date; without it, any date that is today somewhere counts as today."""
    earliest, latest = (today, today) if today is not None else today_somewhere()
    if check_out <= check_in:
        raise ValidationError("Check-out must be after check-in.", code="dates_order")
    if check_in < earliest:
        raise ValidationError("Check-in cannot be in the past.", code="dates_past")
    if (check_out - check_in).days > MAX_NIGHTS:
        raise ValidationError(f"A stay can be at most {MAX_NIGHTS} nights.", code="too_long")
    if check_in > latest + timedelta(days=BOOKING_HORIZON_DAYS):
        raise ValidationError("Those dates are too far ahead to book yet.", code="too_far")
    if not 1 <= rooms <= MAX_ROOMS:
        raise ValidationError(f"Choose between 1 and {MAX_ROOMS} rooms.", code="rooms")
    if not rooms <= guests <= rooms * MAX_GUESTS_PER_ROOM:
        raise ValidationError(
            f"Choose between {rooms} and {rooms * MAX_GUESTS_PER_ROOM} guests for {rooms} "
            f"{ngettext('room', 'rooms', rooms)}.",
            code="guests",
        )
