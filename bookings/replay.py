"""Rebuild each booking's status from its events and compare it with the stored status."""
from dataclasses import dataclass

from bookings.models import Booking, BookingEvent
from bookings.states import INITIAL, can_move


@dataclass(frozen=True)
class Disagreement:
    reference: str
    message: str


def replayed_status(events) -> tuple[str | None, str]:
    """(status the events lead to, problem found on the way or "")."""
    status = None
    for event in events:
        if not event.status_to:
            continue
        if status is None:
            if event.action != "booking.placed" or event.status_to != INITIAL:
                return status, f"first status event is {event.action} → {event.status_to}, not booking.placed"
        elif event.status_from != status or not can_move(status, event.status_to):
            return status, f"event {event.pk} {event.action} moves {event.status_from} → {event.status_to} from {status}"
        status = event.status_to
    return status, ""


def replay_all(*, references=None, batch: int = 500) -> tuple[int, list[Disagreement]]:
    bookings = Booking.objects.order_by("pk")
    if references:
        bookings = bookings.filter(reference__in=references)
    checked, problems = 0, []
    for booking in bookings.only("pk", "reference", "status").iterator(chunk_size=batch):
        checked += 1
        events = BookingEvent.objects.filter(booking_id=booking.pk).order_by("created_at", "id")
        status, problem = replayed_status(events)
        if problem:
            problems.append(Disagreement(booking.reference, problem))
        elif status is None:
            problems.append(Disagreement(booking.reference, "has no events"))
        elif status != booking.status:
            problems.append(Disagreement(booking.reference, f"stored status {booking.status}, events say {status}"))
    return checked, problems
