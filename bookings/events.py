"""Typed helpers that append to a booking's event log, in the caller's transaction.

Call sites never build raw event rows: ``transition`` moves the status (checked against the
state machine) and logs it; ``record`` logs what happened without a status change. Rows are
written with ``core.inserts.insert_row`` (one prepared INSERT, no ORM compiling: every booking
writes a few). Action names
are dotted: ``booking.placed``, ``booking.payment.settled``, ``booking.supplier.confirmed``...
"""
from dataclasses import dataclass

from django.db import transaction

from bookings.models import Booking, BookingEvent
from bookings.states import check_move
from core.inserts import insert_row


@dataclass(frozen=True)
class Actor:
    """Who did it: a user (traveller or staff) or a named system part."""

    label: str
    user: object = None

    @classmethod
    def traveller(cls, user) -> "Actor":
        return cls("traveller", user)

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls("staff", user)


SYSTEM = Actor("system")
PAYMENTS = Actor("payments")
SUPPLIER = Actor("supplier")


def record(*, booking: Booking, action: str, actor: Actor = SYSTEM, data: dict | None = None) -> BookingEvent:
    """Append an event that does not change the booking's status."""
    return insert_row(BookingEvent(
        booking=booking,
        action=action,
        actor=actor.user,
        actor_label=actor.label,
        data=_plain(data or {}),
    ))


def transition(*, booking: Booking, to: str, action: str, actor: Actor = SYSTEM, data: dict | None = None) -> BookingEvent:
    """Move ``booking`` to ``to`` and log it. The caller holds the row lock (select_for_update)."""
    assert transaction.get_connection().in_atomic_block, "transitions happen inside a transaction"
    status_from = booking.status
    check_move(status_from, to)
    booking.status = to
    booking.save(update_fields=["status", "updated_at"])
    return insert_row(BookingEvent(
        booking=booking,
        action=action,
        status_from=status_from,
        status_to=to,
        actor=actor.user,
        actor_label=actor.label,
        data=_plain(data or {}),
    ))


def placed(*, booking: Booking, actor: Actor, data: dict) -> BookingEvent:
    """The first event: the booking came to life as pending."""
    return insert_row(BookingEvent(
        booking=booking,
        action="booking.placed",
        status_from="",
        status_to=booking.status,
        actor=actor.user,
        actor_label=actor.label,
        data=_plain(data),
    ))


def _plain(data: dict) -> dict:
    """JSON-safe values (Decimal and dates as strings)."""
    return {k: v if isinstance(v, (str, int, bool, type(None), list, dict)) else str(v) for k, v in data.items()}
