"""The booking state machine: which status may follow which.

    pending ─▶ payment_confirmed ─▶ confirmed ─▶ completed
       │              │                 │
       ├─▶ expired    ├─▶ failed        ├─▶ cancelled ─▶ refunded
       ├─▶ failed     └─▶ cancelled     └─▶ no_show
       └─▶ cancelled

expired and failed may still end as refunded (a late or partial payment given back by staff).
no_show is an end: hotel staff mark it (own hotels only, from the check-in date on the hotel's
calendar; ``booking_mark_no_show``); the nights stay taken and nothing is refunded.
"""
from bookings.models import Booking
from core.errors import ConflictError

S = Booking.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PAYMENT_CONFIRMED, S.EXPIRED, S.FAILED, S.CANCELLED}),
    S.PAYMENT_CONFIRMED: frozenset({S.CONFIRMED, S.FAILED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.COMPLETED, S.CANCELLED, S.NO_SHOW}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.EXPIRED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset({S.REFUNDED}),
    S.COMPLETED: frozenset(),
    S.NO_SHOW: frozenset(),
    S.REFUNDED: frozenset(),
}
INITIAL = S.PENDING
ACTIVE = frozenset({S.PENDING, S.PAYMENT_CONFIRMED, S.CONFIRMED})


class IllegalTransition(ConflictError):
    code = "illegal_transition"

    def __init__(self, status_from: str, status_to: str):
        super().__init__(f"A booking cannot go from {status_from} to {status_to}.")
        self.status_from = status_from
        self.status_to = status_to


def can_move(status_from: str, status_to: str) -> bool:
    return status_to in TRANSITIONS.get(status_from, frozenset())


def check_move(status_from: str, status_to: str) -> None:
    if not can_move(status_from, status_to):
        raise IllegalTransition(status_from, status_to)
