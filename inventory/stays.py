"""A stay: the dates a guest asks for, checked once so that every layer can trust them."""
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_NIGHTS = 30
MAX_ROOMS = 9
MAX_GUESTS_PER_ROOM = 8
BOOKING_HORIZON_DAYS = 550


@dataclass(frozen=True)
class Stay:
    check_in: date
    check_out: date
    rooms: int = 1
    guests: int = 2

    def __post_init__(self):
        validate_stay(self.check_in, self.check_out, rooms=self.rooms, guests=self.guests)

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def dates(self) -> list[date]:
        """Every night of the stay, in date order (the order nights are locked in)."""
        return [self.check_in + timedelta(days=i) for i in range(self.nights)]

    @property
    def guests_per_room(self) -> int:
        return -(-self.guests // self.rooms)


def validate_stay(check_in: date, check_out: date, *, rooms: int = 1, guests: int = 1) -> None:
    """Raise ValidationError with a message a traveller understands."""
    today = timezone.localdate()
    if check_out <= check_in:
        raise ValidationError("Check-out must be after check-in.", code="dates_order")
    if check_in < today:
        raise ValidationError("Check-in cannot be in the past.", code="dates_past")
    if (check_out - check_in).days > MAX_NIGHTS:
        raise ValidationError(f"A stay can be at most {MAX_NIGHTS} nights.", code="too_long")
    if check_in > today + timedelta(days=BOOKING_HORIZON_DAYS):
        raise ValidationError("Those dates are too far ahead to book yet.", code="too_far")
    if not 1 <= rooms <= MAX_ROOMS:
        raise ValidationError(f"Choose between 1 and {MAX_ROOMS} rooms.", code="rooms")
    if not rooms <= guests <= rooms * MAX_GUESTS_PER_ROOM:
        raise ValidationError(
            f"Choose between {rooms} and {rooms * MAX_GUESTS_PER_ROOM} guests for {rooms} room(s).",
            code="guests",
        )
