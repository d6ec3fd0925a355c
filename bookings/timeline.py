"""A booking's history in the traveller's words: each event action as a phrase.

The event log keeps its dotted actions (``booking.payment.settled``) for staff and the replay;
the booking page and the API's ``summary`` say "Payment received". Events meant for staff only
(review notes) are left out of the traveller's timeline.
"""
from dataclasses import dataclass
from datetime import datetime

from bookings.models import BookingEvent

PHRASES = {
    "booking.placed": "Booking received: waiting for your payment",
    "booking.payment.processing": "Payment seen on the network: waiting for confirmations",
    "booking.payment.partial": "Part of the payment received",
    "booking.payment.settled": "Payment received",
    "booking.payment.overpaid": "Payment received (more than was due)",
    "booking.payment.expired": "Payment window closed before the payment arrived",
    "booking.payment.partial-expired": "Payment window closed with only part of the payment received",
    "booking.payment.late": "Payment arrived after the payment window closed",
    "booking.payment.invalid": "Payment could not be accepted",
    "booking.payment.refunded": "Refund sent",
    "booking.confirmed": "Booking confirmed",
    "booking.supplier.pending": "Waiting for the supplier to confirm",
    "booking.supplier.confirmed": "Confirmed by the supplier",
    "booking.supplier.refused": "The supplier could not confirm this booking",
    "booking.supplier.gave_up": "The supplier did not answer: our team is looking into it",
    "booking.supplier.cancel_requested": "Cancellation requested from the supplier",
    "booking.supplier.cancelled": "Cancelled by the supplier",
    "booking.supplier.cancel_refused": "The supplier refused the cancellation: our team is looking into it",
    "booking.supplier.cancel_gave_up": "The supplier did not answer the cancellation: our team is looking into it",
    "booking.nights.released": "Rooms released",
    "booking.expired": "Booking expired: it was not paid in time",
    "booking.completed": "Stay completed",
    "booking.cancelled": "Booking cancelled",
    "booking.no_show": "Marked as a no-show by the hotel",
    "booking.refund.requested": "Refund on its way",
}
STAFF_ONLY = ("booking.review.",)
BY = {"traveller": "you", "staff": "our team", "payments": "payments", "supplier": "the supplier",
      "system": "automatic"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    phrase: str
    by: str
    action: str


def event_phrase(action: str) -> str:
    """The phrase for ``action``; an action without one is still readable ("Supplier confirmed")."""
    if action in PHRASES:
        return PHRASES[action]
    words = action.removeprefix("booking.").replace(".", " ").replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def traveller_timeline(events: list[BookingEvent]) -> list[TimelineEntry]:
    return [TimelineEntry(at=e.created_at, phrase=event_phrase(e.action), by=BY.get(e.actor_label, e.actor_label),
                          action=e.action)
            for e in events if not e.action.startswith(STAFF_ONLY)]
