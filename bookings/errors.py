"""Refusals of the booking services that are not a lock, a key or a transition (those live
beside their code: ``LockGone`` in locks.py, ``IdempotencyConflict`` in services/placing.py,
``IllegalTransition`` in states.py).

They are domain errors (the API answers them by category) and also Django ``ValidationError``s,
so the booking pages, which show a form-style message (``.messages``, ``.code``), handle them
like any other refusal.
"""
from django.core.exceptions import ValidationError

from core.errors import Category, DomainError

# What the booking pages answer when a price cannot be locked, by the refusal's code.
LOCK_ERROR_STATUS = {"unbookable": 409, "rates_unavailable": 503, "too_many_pending": 409,
                     "too_many_room_nights": 409, "too_many_locks": 409}


class BookingRefused(DomainError, ValidationError):
    code = "refused"
    category = Category.CONFLICT


class Unbookable(BookingRefused):
    """The stay cannot be sold: sold out, closed or restricted on one of its nights."""

    code = "unbookable"


class NotCancellable(BookingRefused):
    """The booking is no longer active (already cancelled, completed, expired...)."""

    code = "status"


class NoShowRefused(BookingRefused):
    """The booking cannot be marked as a no-show: not confirmed, a supplier's, not yet its
    check-in day at the hotel, or not the marker's hotel."""

    code = "no_show"


class LimitReached(BookingRefused):
    """The traveller already holds as much as one account may (bookings/limits.py). A conflict
    with what the account holds now, not a rate: paying, cancelling or letting a hold expire
    lifts it, waiting alone may not. Hence 409, not the 429 of the request throttles."""

    code = "limit"


class TooManyPending(LimitReached):
    code = "too_many_pending"


class TooManyRoomNights(LimitReached):
    code = "too_many_room_nights"


class TooManyLocks(LimitReached):
    code = "too_many_locks"
