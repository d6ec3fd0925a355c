"""Cancelling a confirmed supplier booking at the supplier, and refunding by the supplier's terms.

``booking_cancel`` hands a confirmed supplier booking here: its hold becomes ``cancelling`` (the
booking page says "cancellation pending") and ``suppliers.bookings_cancel`` is queued in the same
transaction. The task calls the supplier with no row locked; the answer (what the supplier gives
back and the fee it keeps) is applied in a short transaction that re-reads the booking and returns
if it already moved, so a repeat never refunds twice. Transient failures propagate for the task
to retry; a refusal puts the booking back to confirmed and in front of staff; after the last retry
a dead letter for staff, and the booking stays "cancellation pending".

The terms: free cancellation until the end of the deadline day (``free_cancellation_days`` before
the service date, UTC), then the supplier keeps ``late_cancellation_fee_percent`` of the price (100:
nothing back); a non-refundable offer gives nothing back. The traveller's refund is their share of
what the supplier gives back: the total they paid × supplier refund / supplier price.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from bookings import events
from bookings.errors import NotCancellable
from bookings.models import Booking, BookingEvent, ReviewItem, SupplierHold
from bookings.services.review import review_close, review_note, review_open
from catalogue.models import zone_today
from core.outbox import enqueue_after_commit

S = Booking.Status
H = SupplierHold.Status
CENT = Decimal("0.01")
CANCEL_TASK = "suppliers.bookings_cancel"
REQUESTED = "booking.supplier.cancel_requested"


@dataclass(frozen=True)
class SupplierTerms:
    """What cancelling now gives back to the traveller, and why (in the booking's currency)."""

    refund_amount: Decimal
    fee_percent: int
    text: str


def paid_value(booking: Booking) -> Decimal:
    """What the traveller paid for ``booking`` in fiat, the base of any refund: its total, or,
    for a booking platform credit paid entirely (nothing due in crypto), the credit it spent."""
    if booking.total > 0:
        return booking.total
    from bookings.payments.audit import credit_spent_on

    return credit_spent_on(booking.reference)


def supplier_cancel_needed(booking: Booking) -> bool:
    """A confirmed supplier booking is cancelled at the supplier, not just here."""
    if not booking.is_supplier or booking.status != S.CONFIRMED:
        return False
    hold = SupplierHold.objects.filter(booking=booking).first()
    return hold is not None and bool(hold.supplier_ref) and hold.status in (H.CONFIRMED, H.CANCELLING)


def supplier_cancellation_terms(booking: Booking, *, now=None) -> SupplierTerms:
    """The supplier's terms for cancelling ``booking`` now, as the traveller is told them."""
    if not booking.refundable:
        return SupplierTerms(Decimal("0.00"), 100, "This booking is non-refundable: the supplier gives nothing "
                                                   "back, so cancelling gives no refund.")
    paid = paid_value(booking)
    if booking.check_in is None:
        return SupplierTerms(paid, 0, "Cancelling now gives a full refund.")
    deadline = booking.check_in - timedelta(days=booking.free_cancellation_days)
    if zone_today("UTC", now=now) <= deadline:
        return SupplierTerms(paid, 0, f"Free cancellation until {deadline:%d %b %Y}: cancelling now "
                                      "gives a full refund.")
    fee = _late_fee_percent(booking)
    refund = _share(paid, Decimal(100 - fee), Decimal(100))
    if refund <= 0:
        return SupplierTerms(Decimal("0.00"), 100, f"Free cancellation ended on {deadline:%d %b %Y}: the supplier "
                                                   "keeps the whole price, so cancelling now gives no refund.")
    return SupplierTerms(refund, fee, f"Free cancellation ended on {deadline:%d %b %Y}: the supplier keeps a {fee}% "
                                      f"fee, so cancelling now refunds {refund} {booking.currency}.")


def _late_fee_percent(booking: Booking) -> int:
    details = SupplierHold.objects.filter(booking=booking).values_list("details", flat=True).first() or {}
    try:
        return min(100, max(0, int(details.get("late_cancellation_fee_percent", 100))))
    except (TypeError, ValueError):
        return 100


def _share(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """total × part / whole, rounded down to the cent, never above the total nor below zero."""
    if whole <= 0 or part <= 0:
        return Decimal("0.00")
    return min(total, (total * part / whole).quantize(CENT, rounding=ROUND_DOWN))


# --- asking (in booking_cancel's transaction, the booking row locked) -----------------------

def supplier_cancellation_request(*, booking: Booking, actor: events.Actor, method: str, by_staff: bool = False,
                                  review_id: int | None = None, note: str = "") -> None:
    """Mark the booking "cancellation pending" and queue the supplier call after commit.

    ``by_staff`` (the review queue's "cancel and refund"): the refund will be in full whatever the
    supplier keeps (the platform absorbs its fee), and the review item ``review_id`` stays open,
    saying the cancellation is pending, until the supplier answers. Staff may also ask again for
    a cancellation already pending (one whose task gave up): it is queued once more."""
    moved = SupplierHold.objects.filter(booking=booking, status=H.CONFIRMED).update(status=H.CANCELLING, last_error="")
    if not moved and not (by_staff and SupplierHold.objects.filter(booking=booking, status=H.CANCELLING).exists()):
        raise NotCancellable("The cancellation of this booking is already pending at the supplier.")
    terms = supplier_cancellation_terms(booking)
    data = {"method": method, "terms": terms.text, "expected_refund": terms.refund_amount}
    if by_staff:
        full = staff_refund_amount(booking)
        data.update(by_staff=True, review_id=review_id, note=note, expected_refund=full,
                    terms=f"Cancelled by staff: a full refund of {full} {booking.currency} whatever the rate's terms "
                          "(any fee the supplier keeps is absorbed by the platform).")
        if review_id is not None:
            review_note(item_id=review_id, note=f"Cancellation pending at the supplier (asked by {_name(actor)}): "
                                                f"refunded in full once it answers. {note}".strip())
    events.record(booking=booking, action=REQUESTED, actor=actor, data=data)
    enqueue_after_commit(task=CANCEL_TASK, kwargs={"reference": booking.reference}, key=booking.reference)


def _name(actor: events.Actor) -> str:
    return actor.user.get_username() if actor.user is not None else actor.label


def staff_refund_amount(booking: Booking) -> Decimal:
    from bookings.services.lifecycle import staff_refund_amount as amount

    return amount(booking)


# --- the task's work ------------------------------------------------------------------------

def booking_supplier_cancel(*, reference: str) -> str:
    """Cancel the booking ``reference`` at the supplier and refund the traveller's share."""
    from suppliers import supplier_cancel
    from suppliers.errors import SupplierRefused

    booking = Booking.objects.select_related("supplier_hold").filter(reference=reference).first()
    if booking is None or not booking.is_supplier or booking.status != S.CONFIRMED:
        return "nothing to do"
    hold = booking.supplier_hold
    if hold.status != H.CANCELLING:
        return "nothing to do"
    try:
        answer = supplier_cancel(kind=hold.kind, supplier_ref=hold.supplier_ref)
    except SupplierRefused as exc:
        return _refused(reference=reference, error=str(exc))
    except Exception as exc:
        SupplierHold.objects.filter(pk=hold.pk).update(last_error=repr(exc)[:2000])
        raise
    return _apply(reference=reference, answer=answer)


def _apply(*, reference: str, answer) -> str:
    from bookings.services.lifecycle import cancel_and_refund

    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(reference=reference)
        hold = SupplierHold.objects.select_for_update().get(booking=booking)
        if booking.status != S.CONFIRMED or hold.status != H.CANCELLING:
            return "already moved"
        requested = _request_of(booking)
        by_staff = bool(requested.get("by_staff"))
        refund = staff_refund_amount(booking) if by_staff else _share(paid_value(booking), answer.refund_amount,
                                                                      hold.price)
        absorbed = {"fee_absorbed_by_platform": answer.fee} if by_staff and answer.fee else {}
        hold.status, hold.last_error = H.CANCELLED, ""
        hold.save(update_fields=["status", "last_error", "updated_at"])
        events.record(booking=booking, action="booking.supplier.cancelled", actor=events.SUPPLIER,
                      data={"supplier_ref": answer.supplier_ref, "supplier_refund": answer.refund_amount,
                            "supplier_fee": answer.fee, "currency": answer.currency, "terms": answer.terms, **absorbed})
        terms = _answer_terms(answer, by_staff=by_staff)
        actor = _requester(booking) if by_staff else events.Actor.traveller(booking.user)
        cancel_and_refund(booking=booking, actor=actor, refund=refund > 0, method=str(requested.get("method") or "crypto"),
                          terms=terms, amount=refund, extra=absorbed)
        if by_staff and requested.get("review_id"):
            review_close(item_id=requested["review_id"], staff=actor.user,
                         note=f"Cancelled at the supplier and refunded {refund} {booking.currency} in full: {terms}.")
    return "cancelled"


def _answer_terms(answer, *, by_staff: bool) -> str:
    """The supplier's answer in words; for staff's cancellation, the fee the platform absorbs."""
    terms = (f"the supplier refunds {answer.refund_amount} {answer.currency} and keeps {answer.fee} "
             f"{answer.currency} ({answer.terms})" if answer.fee else f"free cancellation ({answer.terms})")
    if not by_staff:
        return terms
    absorbed = f"; the platform absorbs the supplier's {answer.fee} {answer.currency} fee" if answer.fee else ""
    return f"cancelled by staff with a full refund; {terms}{absorbed}"


def _requested(booking: Booking) -> BookingEvent | None:
    return BookingEvent.objects.filter(booking=booking, action=REQUESTED).order_by("-pk").first()


def _request_of(booking: Booking) -> dict:
    requested = _requested(booking)
    return dict(requested.data) if requested else {}


def _requester(booking: Booking) -> events.Actor:
    requested = _requested(booking)
    return events.Actor.staff(requested.actor) if requested and requested.actor else events.SYSTEM


def _refused(*, reference: str, error: str) -> str:
    """The supplier will not cancel: the booking stays confirmed, and staff look into it."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(reference=reference)
        if not SupplierHold.objects.filter(booking=booking, status=H.CANCELLING).update(
                status=H.CONFIRMED, last_error=error[:2000]):
            return "already moved"
        events.record(booking=booking, action="booking.supplier.cancel_refused", actor=events.SUPPLIER,
                      data={"error": error})
        review_open(booking=booking, reason=ReviewItem.Reason.SUPPLIER_REFUSED, actor=events.SUPPLIER,
                    detail=f"The supplier refused to cancel the booking: {error}")
    return "cancel refused: review"


def supplier_cancellation_gave_up(*, reference: str, error: str) -> None:
    """After the last retry: a dead letter for staff; the booking stays "cancellation pending"."""
    booking = Booking.objects.filter(reference=reference, supplier_hold__status=H.CANCELLING).first()
    if booking is None:
        return
    with transaction.atomic():
        events.record(booking=booking, action="booking.supplier.cancel_gave_up", data={"error": error[:500]})
        review_open(booking=booking, reason=ReviewItem.Reason.DEAD_LETTER,
                    detail=("The supplier could not be reached to cancel the booking after every retry; it is "
                            f"still cancellation pending. Re-drive the failed task once the supplier answers: {error}"))
