"""Paying for part of a booking with points: the hold made inside the booking's placement."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from rewards import config
from rewards.models import BookingPoints, Entry
from rewards.points import points_cap, points_parse, points_value
from rewards.services.bookings import booking_key, booking_points_lock
from rewards.services.ledger import account_lock, entry_append


def points_hold(*, user, booking_reference: str, amount, fiat_total: Decimal, currency: str) -> Decimal:
    """Reserve points for a booking being placed and return the fiat discount they give.

    Runs inside the caller's (the placement's) transaction, so a booking that is not placed
    reserves nothing. Raises ValidationError with a message for the traveller.
    """
    points = points_parse(amount)
    fiat_total = Decimal(fiat_total)
    if fiat_total <= 0:
        raise ValidationError("Points can only pay for part of a booking with a total above zero.")
    cap = points_cap(fiat_total=fiat_total)
    if points > cap:
        raise ValidationError(
            f"At most {cap:,} points can be used on this booking "
            f"({config.redemption_cap_percent():f}% of its total)."
        )
    with transaction.atomic():
        account = account_lock(user_id=user.pk)
        booking = booking_points_lock(account=account, reference=booking_reference)
        if booking.hold_state != BookingPoints.HoldState.NONE:
            if booking.hold_state == BookingPoints.HoldState.HELD and booking.points_held == points:
                return booking.discount  # the same placement asked twice
            raise ValidationError("Points were already used for this booking.")
        if account.available < points:
            raise ValidationError(f"You have {account.available:,} points available; {points:,} were asked for.")
        discount = points_value(points)
        entry_append(
            account=account, kind=Entry.Kind.HOLD, source_key=booking_key(booking_reference, "hold"),
            available=-points, held=points, booking_reference=booking_reference,
            note=f"{discount} {currency} off",
        )
        booking.hold_state = BookingPoints.HoldState.HELD
        booking.points_held = points
        booking.discount = discount
        booking.currency = currency
        booking.save(update_fields=["hold_state", "points_held", "discount", "currency"])
    return discount
