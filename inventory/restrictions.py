"""Stay restrictions (closed to arrival/departure, min/max stay), one rule set for quoting and
reserving, so the price page and the reservation never disagree about what is sellable."""
from inventory.models import RoomNight
from inventory.stays import Stay


def restriction_violation(*, stay: Stay, first: RoomNight, departure: RoomNight | None) -> str:
    """Why the restrictions forbid this stay, in words for the traveller; empty when they allow it."""
    if first.closed_to_arrival:
        return f"Arrival is not possible on {first.date:%d %b %Y}."
    if departure is not None and departure.closed_to_departure:
        return f"Departure is not possible on {stay.check_out:%d %b %Y}."
    if not first.min_stay <= stay.nights <= first.max_stay:
        return f"Stays from {first.date:%d %b} must be {first.min_stay} to {first.max_stay} nights."
    return ""
