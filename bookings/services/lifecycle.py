"""How a booking moves after placement: payment news, expiry, cancellation, completion, no-show.

Each function locks the booking row, checks the state machine, does the change, appends the
event and writes the outbox row, all in one transaction; a repeat is a no-op (idempotent).
"""
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings import events
from bookings.emails.kinds import EmailKind
from bookings.errors import NoShowRefused, NotCancellable
from bookings.models import Booking, BookingEvent, ReviewItem, SupplierHold
from bookings.publishing import (
    publish_cancelled,
    publish_confirmed,
    publish_expired,
    publish_failed,
    publish_no_show,
    publish_stay_completed,
)
from bookings.services.emails import booking_email_queue
from bookings.services.review import review_open
from bookings.services.supplier_cancel import (
    paid_value,
    supplier_cancel_needed,
    supplier_cancellation_request,
    supplier_cancellation_terms,
)
from bookings.states import ACTIVE
from catalogue.models import zone_today
from core.logging import bind_booking
from inventory.services import inventory_release
from inventory.stays import today_somewhere

S = Booking.Status
EXPIRY_GRACE = timedelta(minutes=2)
REFUND_METHODS = ("crypto", "credit")


def _locked(reference: str) -> Booking | None:
    bind_booking(reference)
    return Booking.objects.select_for_update().filter(reference=reference).first()


# --- Payment news (payments' outbox topics) --------------------------------------------------

def booking_on_payment(*, topic: str, payload: dict, message_id: int | None = None) -> str:
    """React to one ``payment.*`` message. Returns what it did (for logs and tests)."""
    reference = str(payload.get("reference") or "")
    with transaction.atomic():
        booking = _locked(reference)
        if booking is None:
            return "unknown booking"
        if message_id is not None and BookingEvent.objects.filter(
            booking=booking, data__message_id=str(message_id)
        ).exists():
            return "duplicate"
        data = {"message_id": str(message_id) if message_id is not None else "", "topic": topic,
                **{k: payload[k] for k in ("invoice_id", "status", "amount_paid", "amount_due", "excess") if k in payload}}
        action = topic.replace("payment.", "booking.payment.", 1)
        if topic in ("payment.settled", "payment.overpaid"):
            return _paid(booking=booking, action=action, data=data)
        if topic == "payment.expired" or topic == "payment.partial-expired":
            return _payment_expired(booking=booking, action=action, data=data, payload=payload, topic=topic)
        if topic == "payment.late":
            events.record(booking=booking, action=action, actor=events.PAYMENTS, data=data)
            review_open(booking=booking, reason=ReviewItem.Reason.LATE_PAYMENT, actor=events.PAYMENTS,
                        detail=f"Payment arrived after the invoice expired (booking {booking.status}).")
            return "late: review"
        if topic == "payment.invalid" and booking.status == S.PENDING:
            _end(booking=booking, to=S.FAILED, action=action, actor=events.PAYMENTS, data=data)
            publish_failed(booking)
            return "failed"
        if topic == "payment.refunded" and booking.status in (S.CANCELLED, S.EXPIRED, S.FAILED):
            events.transition(booking=booking, to=S.REFUNDED, action=action, actor=events.PAYMENTS, data=data)
            booking_email_queue(booking=booking, kind=EmailKind.REFUNDED)
            return "refunded"
        events.record(booking=booking, action=action, actor=events.PAYMENTS, data=data)
        if topic == "payment.partial" and booking.status == S.PENDING:
            booking_email_queue(booking=booking, kind=EmailKind.PAYMENT_PARTIAL)
        return "recorded"


def booking_paid_without_invoice(*, booking: Booking, credit: Decimal, points: int) -> str:
    """Platform credit (and points) paid the whole total at placement, in the placement's
    transaction: there is nothing to pay in crypto, so no invoice, and the booking moves on at
    once along the path a settled payment takes (confirmed, or supplier confirmation next)."""
    return _paid(booking=booking, action="booking.payment.settled",
                 data={"paid_with": "credit and points" if points else "credit", "credit_used": credit,
                       "points_redeemed": points, "amount_due": "0"})


def _paid(*, booking: Booking, action: str, data: dict) -> str:
    if booking.status != S.PENDING:
        events.record(booking=booking, action=action, actor=events.PAYMENTS, data=data)
        if booking.status in (S.EXPIRED, S.FAILED, S.CANCELLED):
            review_open(booking=booking, reason=ReviewItem.Reason.LATE_PAYMENT, actor=events.PAYMENTS,
                        detail=f"Paid in full but the booking is already {booking.status}.")
            return "paid after end: review"
        return "already paid"
    events.transition(booking=booking, to=S.PAYMENT_CONFIRMED, action=action, actor=events.PAYMENTS, data=data)
    booking_email_queue(booking=booking, kind=EmailKind.PAYMENT_RECEIVED)  # not sent when nothing was due
    if booking.is_supplier:
        from bookings.services.supplier import supplier_confirmation_enqueue

        supplier_confirmation_enqueue(booking=booking)
        return "payment confirmed: supplier next"
    events.transition(booking=booking, to=S.CONFIRMED, action="booking.confirmed")
    publish_confirmed(booking)
    return "confirmed"


def _paid_something(payload: dict, topic: str) -> bool:
    if topic == "payment.partial-expired" or str(payload.get("status", "")).lower() in (
        "partial", "paid_partial", "partial_expired", "expired_paid_partial",
    ):
        return True
    for name in ("amount_paid", "paid", "amount_received"):
        try:
            if Decimal(str(payload.get(name) or 0)) > 0:
                return True
        except (InvalidOperation, ValueError):
            continue
    return False


def _payment_expired(*, booking: Booking, action: str, data: dict, payload: dict, topic: str) -> str:
    partial = _paid_something(payload, topic)
    if booking.status == S.PENDING:
        _end(booking=booking, to=S.EXPIRED, action=action, actor=events.PAYMENTS, data=data)
        publish_expired(booking)
    else:
        events.record(booking=booking, action=action, actor=events.PAYMENTS, data=data)
    if partial:
        review_open(booking=booking, reason=ReviewItem.Reason.PARTIAL_PAYMENT, actor=events.PAYMENTS,
                    detail="The invoice expired with only part of the amount paid: refund or credit it.")
        return "expired: partial payment to review"
    return "expired"


def _end(*, booking: Booking, to: str, action: str, actor: events.Actor, data: dict | None = None) -> None:
    """Move to an end state and give back what the booking held (nights, supplier hold)."""
    _release(booking=booking)
    events.transition(booking=booking, to=to, action=action, actor=actor, data=data or {})


def _release(*, booking: Booking) -> None:
    if booking.hold_id and inventory_release(hold=booking.hold):
        events.record(booking=booking, action="booking.nights.released",
                      data={"hold": booking.hold.reference, "rooms": booking.rooms})
    SupplierHold.objects.filter(booking=booking, status=SupplierHold.Status.HELD).update(
        status=SupplierHold.Status.RELEASED)


# --- Sweeps ----------------------------------------------------------------------------------

def bookings_expire_unpaid(*, now=None, limit: int = 200) -> int:
    """Expire pending bookings whose payment window closed (a safety net under payment.expired)."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=S.PENDING, payment_expires_at__lt=now - EXPIRY_GRACE)
    done = 0
    for reference in due.values_list("reference", flat=True)[:limit]:
        with transaction.atomic():
            booking = _locked(reference)
            if booking is None or booking.status != S.PENDING:
                continue
            _end(booking=booking, to=S.EXPIRED, action="booking.expired", actor=events.SYSTEM,
                 data={"reason": "payment window closed"})
            publish_expired(booking)
            done += 1
    return done


def bookings_complete_stays(*, now=None, limit: int = 500) -> int:
    """Mark confirmed bookings completed once their check-out date has passed on the hotel's
    calendar (its destination's time zone; UTC for supplier bookings); publish stay.completed."""
    now = now or timezone.now()
    due = Booking.objects.filter(_checked_out(now=now), status=S.CONFIRMED)
    done = 0
    for reference in due.values_list("reference", flat=True)[:limit]:
        with transaction.atomic():
            booking = _locked(reference)
            if booking is None or booking.status != S.CONFIRMED:
                continue
            events.transition(booking=booking, to=S.COMPLETED, action="booking.completed")
            publish_stay_completed(booking)
            done += 1
    return done


def _checked_out(*, now) -> Q:
    """Bookings whose check-out is before today where they stay: one condition per time zone."""
    _earliest, latest = today_somewhere(now=now)
    zones = (Booking.objects.filter(status=S.CONFIRMED, check_out__lt=latest)
             .values_list("property__destination__timezone", flat=True).distinct().order_by())
    condition = Q(property__isnull=True, check_out__lt=zone_today("UTC", now=now))
    for name in zones:
        if name is not None:
            condition |= Q(property__destination__timezone=name, check_out__lt=zone_today(name, now=now))
    return condition


# --- No-show ---------------------------------------------------------------------------------

def booking_mark_no_show(*, booking: Booking, by) -> Booking:
    """Hotel staff (or a platform admin) record that the guest never arrived.

    Allowed only for a confirmed booking at one of our own hotels (a supplier's booking is the
    supplier's to report), from its check-in date on the hotel's calendar (the destination's time
    zone, as ``bookings_complete_stays`` decides dates), and only by a superuser or the staff of
    that hotel. Anything else is a ``NoShowRefused`` saying why, and a repeat is refused the same
    way without changing anything.

    The nights are NOT released: the room was kept for the guest and nobody else could sell it.
    Nothing is refunded. ``booking.no_show`` goes out so that rewards forfeits the points the stay
    would have earned.
    """
    with transaction.atomic():
        locked = _locked(booking.reference)
        if locked is None:
            raise Booking.DoesNotExist(booking.reference)
        today = _check_no_show(booking=locked, by=by)
        events.transition(booking=locked, to=S.NO_SHOW, action="booking.no_show", actor=events.Actor.staff(by),
                          data={"marked_by": by.get_username(), "hotel_today": today,
                                "check_in": locked.check_in})
        publish_no_show(locked)
    return locked


def _check_no_show(*, booking: Booking, by) -> date:
    """Refuse (NoShowRefused) unless ``by`` may mark ``booking`` now; the hotel's date if so."""
    if booking.is_supplier or booking.property_id is None:
        raise NoShowRefused("Only bookings at our own hotels can be marked as a no-show; a supplier's "
                            "booking is the supplier's to report.")
    if not (by.is_superuser or booking.property.staff.filter(pk=by.pk).exists()):
        raise NoShowRefused(f"Only the staff of {booking.property.name} can mark its bookings as a no-show.")
    if booking.status == S.NO_SHOW:
        raise NoShowRefused(f"Booking {booking.reference} is already marked as a no-show.")
    if booking.status != S.CONFIRMED:
        raise NoShowRefused(f"Only confirmed bookings can be marked as a no-show; {booking.reference} is "
                            f"{booking.get_status_display().lower()}.")
    today = booking.property.local_today()
    if booking.check_in is None:
        raise NoShowRefused(f"Booking {booking.reference} has no check-in date.")
    if today < booking.check_in:
        raise NoShowRefused(f"Check-in is on {booking.check_in:%d %b %Y} at the hotel (today there is "
                            f"{today:%d %b %Y}): a no-show can be marked from that day on.")
    return today


# --- Cancellation ----------------------------------------------------------------------------

def cancellation_terms(booking: Booking, *, now=None) -> tuple[bool, str]:
    """(refund due, explanation) for a traveller cancelling now. Free cancellation runs to the
    end of the deadline day on the hotel's calendar (UTC for supplier bookings)."""
    if supplier_cancel_needed(booking):  # the supplier's terms, fee included
        supplier = supplier_cancellation_terms(booking, now=now)
        return supplier.refund_amount > 0, supplier.text
    today = booking.property.local_today(now=now) if booking.property_id else zone_today("UTC", now=now)
    if booking.status == S.PENDING:
        return False, "Nothing has been paid yet, so nothing is refunded."
    if not booking.refundable:
        return False, "This rate is non-refundable: cancelling gives no refund."
    if booking.check_in is None:
        return True, "Cancelling now gives a full refund."
    deadline = booking.check_in - timedelta(days=booking.free_cancellation_days)
    if today <= deadline:
        return True, f"Free cancellation until {deadline:%d %b %Y}: cancelling now gives a full refund."
    return False, f"Free cancellation ended on {deadline:%d %b %Y}: cancelling now gives no refund."


def booking_cancel(*, reference: str, user, method: str = "crypto") -> Booking:
    """The traveller cancels their own booking; refunded per its rate plan."""
    if method not in REFUND_METHODS:
        raise ValidationError("Choose a refund in crypto or as platform credit.", code="method")
    with transaction.atomic():
        booking = _locked(reference)
        if booking is None or booking.user_id != user.pk:
            raise Booking.DoesNotExist(reference)
        if booking.status not in ACTIVE:
            raise NotCancellable(f"This booking is {booking.get_status_display().lower()} and cannot be cancelled.")
        if supplier_cancel_needed(booking):  # cancelled at the supplier first; the refund follows its answer
            supplier_cancellation_request(booking=booking, actor=events.Actor.traveller(user), method=method)
            return booking
        refund_due, terms = cancellation_terms(booking)
        _cancel(booking=booking, actor=events.Actor.traveller(user), refund=refund_due, method=method, terms=terms)
    return booking


def booking_refund_by_staff(*, booking: Booking, staff, method: str, note: str = "",
                            review_id: int | None = None) -> Booking:
    """Staff cancel (if still active) and refund in full whatever was paid. A supplier booking
    the supplier has confirmed is cancelled there first (the refund follows its answer, in full:
    the platform absorbs any late fee); the booking stays "cancellation pending" meanwhile."""
    if method not in REFUND_METHODS:
        raise ValidationError("Choose a refund in crypto or as platform credit.", code="method")
    with transaction.atomic():
        booking = _locked(booking.reference)
        actor = events.Actor.staff(staff)
        received = staff_refund_amount(booking)
        if supplier_cancel_needed(booking):
            supplier_cancellation_request(booking=booking, actor=actor, method=method, by_staff=True,
                                          review_id=review_id, note=note)
        elif booking.status in (S.PAYMENT_CONFIRMED, S.CONFIRMED, S.PENDING):
            _cancel(booking=booking, actor=actor, refund=received > 0, method=method,
                    terms=note or "Cancelled by staff.", amount=received)
        elif booking.status in (S.EXPIRED, S.FAILED, S.CANCELLED):
            if received <= 0:
                raise ValidationError("Nothing was received for this booking; there is nothing to refund.",
                                      code="refund")
            reason = note or "Refund decided by staff review."
            if booking.total == 0:  # paid with credit: it goes back to credit (see _credit_back)
                _credit_back(booking=booking, amount=received, terms=reason)
                refund, method = None, "credit"
            else:
                refund = _refund(booking=booking, method=method, amount=received, reason=reason)
            events.record(booking=booking, action="booking.refund.requested", actor=actor,
                          data={"method": method, "amount": received, "refund_id": getattr(refund, "pk", "")})
        else:
            raise ValidationError(f"A {booking.get_status_display().lower()} booking cannot be refunded.", code="status")
    return booking


def _cancel(*, booking: Booking, actor: events.Actor, refund: bool, method: str, terms: str,
            amount: Decimal | None = None, extra: dict | None = None) -> None:
    refund_method = "none"
    data = {"terms": terms, **(extra or {})}
    if refund and booking.total == 0:  # paid with credit (and points): nothing to send back in crypto
        amount = paid_value(booking) if amount is None else amount
        _credit_back(booking=booking, amount=amount, terms=terms)
        refund_method = "credit"
        data.update(refund_amount=amount, refund_to="credit", requested_method=method)
    elif refund:
        amount = booking.total if amount is None else amount
        made = _refund(booking=booking, method=method, reason=f"Cancelled: {terms}", amount=amount)
        refund_method = method
        data.update(refund_amount=amount, refund_id=getattr(made, "pk", ""))
    _release(booking=booking)
    events.transition(booking=booking, to=S.CANCELLED, action="booking.cancelled", actor=actor,
                      data={**data, "refund_method": refund_method})
    publish_cancelled(booking, refund_method=refund_method)


cancel_and_refund = _cancel  # the supplier cancellation ends the same way (bookings.services.supplier_cancel)


def _credit_back(*, booking: Booking, amount: Decimal, terms: str) -> None:
    """Refund a booking paid entirely with platform credit: its credit goes back (``amount`` of
    it), whatever method the traveller asked for. No crypto was sent, so there is no wallet to
    send any back to; refusing would only make them ask again for the one refund possible."""
    from bookings.payments.errors import PaymentError
    from bookings.payments.services import credit_return

    try:
        credit_return(booking_reference=booking.reference, note=f"Cancelled: {terms}"[:200], amount=amount)
    except PaymentError as exc:
        raise ValidationError(exc.message, code="refund") from exc


def staff_refund_amount(booking: Booking) -> Decimal:
    """What staff give back: everything actually received (crypto at the locked rate, less
    refunds; the credit spent, for a booking paid with credit), capped at what it cost."""
    return min(paid_value(booking), _received_fiat(booking))


def _refund(*, booking: Booking, method: str, reason: str, amount: Decimal | None = None):
    from bookings.payments.errors import PaymentError
    from bookings.payments.services import refund_create

    try:
        return refund_create(reference=booking.reference, fiat_amount=booking.total if amount is None else amount,
                             method=method, reason=reason[:200], user_id=booking.user_id)
    except PaymentError as exc:
        raise ValidationError(exc.message, code="refund") from exc


def _credit_given_back(booking: Booking) -> bool:
    from bookings.payments.models import CreditEntry

    return CreditEntry.objects.filter(booking_reference=booking.reference, kind=CreditEntry.Kind.RETURN).exists()


def _received_fiat(booking: Booking) -> Decimal:
    """What the traveller actually sent (in time or late) at the invoice's locked rate, less refunds."""
    from bookings.payments.models import Invoice, Refund

    invoice = Invoice.objects.filter(reference=booking.reference).first()
    if invoice is None:  # nothing due in crypto: the credit spent on it, unless already given back
        return paid_value(booking) if booking.total == 0 and not _credit_given_back(booking) else Decimal("0.00")
    received = ((invoice.amount_paid + invoice.amount_late) * invoice.rate).quantize(Decimal("0.01"), ROUND_DOWN)
    refunded = sum((r.fiat_amount for r in invoice.refunds.exclude(status=Refund.Status.FAILED)), Decimal(0))
    return max(Decimal("0.00"), received - refunded)
