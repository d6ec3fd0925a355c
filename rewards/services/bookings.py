"""Booking events applied to the ledger: idempotent and in any order.

Each handler locks the traveller's account, then the booking's ``BookingPoints`` row, and
decides from what already happened to the booking. Source keys (``booking:<ref>:<kind>``) make
a repeated entry impossible even if the state logic were wrong.
"""
import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rewards.models import Account, BookingPoints, Entry
from rewards.points import points_for
from rewards.selectors import completed_spend, tier_for_spend
from rewards.services.ledger import account_lock, entry_append

logger = logging.getLogger(__name__)

Hold = BookingPoints.HoldState
Earn = BookingPoints.EarnState


def booking_key(reference: str, kind: str) -> str:
    return f"booking:{reference}:{kind}"


def booking_points_lock(*, account: Account, reference: str) -> BookingPoints:
    if not reference or len(reference) > 64:
        raise ValidationError("A booking reference is required (at most 64 characters).")
    # The account is locked already, and a booking's events all come for one account, so no
    # other transaction can be creating this row now.
    booking = BookingPoints.objects.select_for_update().filter(reference=reference).first()
    if booking is None:
        booking = BookingPoints.objects.create(reference=reference, account=account)
    if booking.account_id != account.pk:
        raise ValidationError(f"Booking {reference} belongs to another traveller.")
    return booking


def _money(value, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception:
        raise ValidationError(f"{field} must be a decimal amount, got {value!r}.") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"{field} must be a non-negative amount, got {value!r}.")
    return amount


def _earn(*, account: Account, booking: BookingPoints, total: Decimal, currency: str) -> None:
    tier = tier_for_spend(completed_spend(account=account))
    points = points_for(total=total, earn_percent=tier.earn_percent)
    booking.earn_percent = tier.earn_percent
    booking.points_earned = points
    booking.total = total
    booking.currency = currency or booking.currency
    booking.earn_state = Earn.PENDING
    entry_append(
        account=account, kind=Entry.Kind.EARN, source_key=booking_key(booking.reference, "earn"), pending=points,
        booking_reference=booking.reference, note=f"{tier.name}: {tier.earn_percent}% of {total} {currency}",
    )


def _consume_hold(*, account: Account, booking: BookingPoints) -> None:
    if booking.hold_state != Hold.HELD:
        return
    entry_append(
        account=account, kind=Entry.Kind.REDEEM, source_key=booking_key(booking.reference, "redeem"),
        held=-booking.points_held, booking_reference=booking.reference,
        note=f"{booking.discount} {booking.currency} off".strip(),
    )
    booking.hold_state = Hold.REDEEMED


def _vest(*, account: Account, booking: BookingPoints) -> None:
    entry_append(
        account=account, kind=Entry.Kind.VEST, source_key=booking_key(booking.reference, "vest"),
        pending=-booking.points_earned, available=booking.points_earned, booking_reference=booking.reference,
    )
    booking.earn_state = Earn.AVAILABLE


@transaction.atomic
def booking_placed_apply(*, user_id: int, reference: str, points_redeemed: int = 0) -> BookingPoints:
    """booking.placed: note the booking; the hold itself was made inside the placement."""
    account = account_lock(user_id=user_id)
    booking = booking_points_lock(account=account, reference=reference)
    if booking.placed_at is None:
        booking.placed_at = timezone.now()
        booking.save(update_fields=["placed_at"])
    if int(points_redeemed or 0) != booking.points_held:
        logger.warning("booking %s placed with %s points but %s were reserved",
                       reference, points_redeemed, booking.points_held)
    return booking


@transaction.atomic
def booking_confirmed_apply(
    *, user_id: int, reference: str, total, currency: str = "", check_out: date | None = None
) -> BookingPoints:
    """booking.confirmed: consume the reserved points and earn pending points on the total paid."""
    total = _money(total, field="total")
    account = account_lock(user_id=user_id)
    booking = booking_points_lock(account=account, reference=reference)
    if booking.confirmed_at is not None:
        return booking  # delivered twice
    booking.confirmed_at = timezone.now()
    booking.check_out = check_out or booking.check_out
    if booking.ended_at is None and booking.completed_at is None:
        _consume_hold(account=account, booking=booking)
        _earn(account=account, booking=booking, total=total, currency=currency)
    booking.save()
    return booking


@transaction.atomic
def stay_completed_apply(
    *, user_id: int, reference: str, total, currency: str = "", check_out: date | None = None
) -> BookingPoints:
    """stay.completed: pending points become available; the total counts towards the tier."""
    total = _money(total, field="total")
    account = account_lock(user_id=user_id)
    booking = booking_points_lock(account=account, reference=reference)
    if booking.completed_at is not None:
        return booking  # delivered twice
    if booking.ended_at is not None:
        logger.warning("stay.completed for %s, which ended (%s): no points", reference, booking.ended_reason)
        return booking
    if booking.earn_state == Earn.NONE:
        # Completed arrived before confirmed: a completed stay was confirmed, so do both here.
        _consume_hold(account=account, booking=booking)
        _earn(account=account, booking=booking, total=total, currency=currency)
    _vest(account=account, booking=booking)
    booking.total = total
    booking.currency = currency or booking.currency
    booking.check_out = check_out or booking.check_out
    booking.completed_at = timezone.now()
    booking.save()
    return booking


@transaction.atomic
def booking_ended_apply(*, user_id: int, reference: str, reason: str) -> BookingPoints:
    """booking.cancelled / booking.expired / booking.failed: return the points used on it and
    reverse points it earned that are still pending. Recorded even before the booking's other
    events arrive, so a late booking.confirmed earns nothing."""
    if reason not in ("cancelled", "expired", "failed"):
        raise ValidationError(f"Unknown end of a booking: {reason!r}.")
    account = account_lock(user_id=user_id)
    booking = booking_points_lock(account=account, reference=reference)
    if booking.ended_at is not None:
        return booking  # delivered twice
    if booking.completed_at is not None:
        logger.warning("booking %s %s after its stay was completed: points kept", reference, reason)
        return booking
    if booking.hold_state in (Hold.HELD, Hold.REDEEMED):
        still_held = booking.hold_state == Hold.HELD
        entry_append(
            account=account, kind=Entry.Kind.RELEASE, source_key=booking_key(reference, "release"),
            held=-booking.points_held if still_held else 0, available=booking.points_held,
            booking_reference=reference, note=f"booking {reason}",
        )
        booking.hold_state = Hold.RELEASED
    if booking.earn_state == Earn.PENDING:
        entry_append(
            account=account, kind=Entry.Kind.REVERSE, source_key=booking_key(reference, "reverse"),
            pending=-booking.points_earned, booking_reference=reference, note=f"booking {reason}",
        )
        booking.earn_state = Earn.REVERSED
    booking.ended_at = timezone.now()
    booking.ended_reason = reason
    booking.save()
    return booking



@transaction.atomic
def booking_no_show_apply(*, user_id: int, reference: str) -> BookingPoints:
    """booking.no_show: the guest never arrived, so the points the stay earned never vest. A
    ``forfeit`` entry takes them out of pending (the note says why); nothing else moves.

    Points redeemed at checkout for this booking are NOT given back, unlike on a cancellation:
    the hotel kept the room for the guest, and the points paid for part of that reservation. If
    the no-show arrives before booking.confirmed, the points still reserved are consumed here as
    redeemed, and the late confirmation earns nothing. A later stay.completed gives nothing (the
    booking is ended), and a no-show does not count towards the tier.
    """
    account = account_lock(user_id=user_id)
    booking = booking_points_lock(account=account, reference=reference)
    if booking.ended_at is not None:
        return booking  # delivered twice, or the booking ended another way first
    if booking.completed_at is not None:
        logger.warning("booking %s marked a no-show after its stay was completed: points kept", reference)
        return booking
    _consume_hold(account=account, booking=booking)
    if booking.earn_state == Earn.PENDING:
        entry_append(
            account=account, kind=Entry.Kind.FORFEIT, source_key=booking_key(reference, "forfeit"),
            pending=-booking.points_earned, booking_reference=reference,
            note="no-show: the guest did not arrive, so the points never vest",
        )
        booking.earn_state = Earn.FORFEITED
    booking.ended_at = timezone.now()
    booking.ended_reason = "no_show"
    booking.save()
    return booking
