"""Whether the guests fit the rooms asked for, in words a traveller acts on.

"5 guests need 2 rooms" (and a link to ask for 2) says what to change; "no room can be booked,
try other dates" would send the traveller after dates that can never work.
"""
from django.core.exceptions import ValidationError

from inventory.stays import MAX_GUESTS_PER_ROOM, MAX_ROOMS, Stay


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def rooms_needed(*, guests: int, capacity: int) -> int:
    """The fewest rooms of ``capacity`` guests each that hold ``guests``."""
    return -(-guests // max(capacity, 1))


def fit_message(*, stay: Stay, capacity: int | None, where: str) -> tuple[str, int | None]:
    """('5 guests need 2 rooms: the largest room at X sleeps 4.', 2) when the guests do not fit
    ``stay.rooms`` rooms of at most ``capacity`` guests; ('', None) when they do (or nothing is
    known). The number is the rooms to ask for, or None when no booking could hold them."""
    if capacity is None or stay.guests_per_room <= capacity:
        return "", None
    needed = rooms_needed(guests=stay.guests, capacity=capacity)
    sleeps = f"the largest room {where} sleeps {plural(capacity, 'guest')}"
    if needed > MAX_ROOMS:
        return (f"{plural(stay.guests, 'guest')} need {needed} rooms here ({sleeps}), more than the "
                f"{MAX_ROOMS} one booking can hold: please split the group into two bookings."), None
    return f"{plural(stay.guests, 'guest')} need {plural(needed, 'room')}: {sleeps}.", needed


def stay_or_error(check_in, check_out, *, rooms: int, guests: int, today=None) -> Stay:
    """The ``Stay``, or a ValidationError whose message says what to change; the guests-per-room
    rule is said in numbers ("17 guests need at least 3 rooms")."""
    try:
        return Stay(check_in, check_out, rooms=rooms, guests=guests, today=today)
    except ValidationError as exc:
        if getattr(exc, "code", None) != "guests":
            raise ValidationError(exc.messages) from None
    if guests < rooms:
        raise ValidationError(f"{plural(rooms, 'room')} need at least {plural(rooms, 'guest')}: "
                              "one per room.") from None
    needed = rooms_needed(guests=guests, capacity=MAX_GUESTS_PER_ROOM)
    raise ValidationError(f"{plural(guests, 'guest')} need at least {plural(needed, 'room')}: "
                          f"a room sleeps at most {MAX_GUESTS_PER_ROOM}.") from None
