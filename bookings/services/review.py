"""The staff review queue: open an item (and tell staff), retry, cancel and refund, resolve."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookings import events
from bookings.models import Booking, ReviewItem
from core.outbox import enqueue_after_commit


def review_open(*, booking: Booking, reason: str, detail: str = "", actor: events.Actor = events.SYSTEM) -> ReviewItem:
    """Put the booking in front of staff for ``reason`` (once while an item is open)."""
    with transaction.atomic():
        item = ReviewItem.objects.filter(booking=booking, reason=reason, status=ReviewItem.Status.OPEN).first()
        if item:
            return item
        item = ReviewItem.objects.create(booking=booking, reason=reason, detail=detail[:4000])
        events.record(booking=booking, action="booking.review.opened", actor=actor,
                      data={"review_id": item.pk, "reason": reason, "detail": detail[:500]})
        enqueue_after_commit(task="bookings.notify_review", kwargs={"item_id": item.pk}, key=booking.reference)
    return item


def review_resolve(*, item: ReviewItem, staff, note: str) -> ReviewItem:
    note = (note or "").strip()
    if not note:
        raise ValidationError("Write a note saying how this was resolved.", code="note")
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if item.status != ReviewItem.Status.OPEN:
            raise ValidationError("This item is already resolved.", code="resolved")
        item.status = ReviewItem.Status.RESOLVED
        item.note = note
        item.resolved_at = timezone.now()
        item.resolved_by = staff
        item.save(update_fields=["status", "note", "resolved_at", "resolved_by"])
        events.record(booking=item.booking, action="booking.review.resolved", actor=events.Actor.staff(staff),
                      data={"review_id": item.pk, "note": note})
    return item


def review_retry(*, item: ReviewItem, staff, note: str = "") -> ReviewItem:
    """Send the supplier confirmation again (the booking must be paid and waiting for it)."""
    from bookings.services.supplier import supplier_confirmation_enqueue

    booking = item.booking
    if not (booking.is_supplier and booking.status == Booking.Status.PAYMENT_CONFIRMED):
        raise ValidationError("Only a paid supplier booking waiting for confirmation can be retried.", code="retry")
    with transaction.atomic():
        events.record(booking=booking, action="booking.review.retried", actor=events.Actor.staff(staff),
                      data={"review_id": item.pk, "note": note})
        item = _close(item=item, staff=staff, note=note or "Retried the supplier confirmation.")
        supplier_confirmation_enqueue(booking=booking)
    return item


def review_cancel_refund(*, item: ReviewItem, staff, note: str = "", method: str = "crypto") -> ReviewItem:
    """Cancel the booking (if still active) and refund what was paid, whatever the rate plan.

    A supplier booking the supplier has confirmed is cancelled there first: the item then stays
    open, its note saying the cancellation is pending, and is resolved when the supplier answers
    (``review_close`` from the supplier cancellation)."""
    from bookings.services.lifecycle import booking_refund_by_staff

    with transaction.atomic():
        booking_refund_by_staff(booking=item.booking, staff=staff, method=method, note=note, review_id=item.pk)
        if review_cancellation_pending(item):
            item.refresh_from_db()
            return item
        item = _close(item=item, staff=staff, note=note or f"Cancelled and refunded ({method}).")
    return item


def review_cancellation_pending(item: ReviewItem) -> bool:
    """Staff asked the supplier to cancel this item's booking and it has not answered yet."""
    from bookings.models import SupplierHold

    return SupplierHold.objects.filter(booking_id=item.booking_id, status=SupplierHold.Status.CANCELLING).exists()


def review_note(*, item_id: int, note: str) -> None:
    """Say on an open item where it stands (e.g. a cancellation pending at the supplier)."""
    ReviewItem.objects.filter(pk=item_id, status=ReviewItem.Status.OPEN).update(note=note[:4000])


def review_close(*, item_id: int, staff, note: str) -> None:
    """Resolve an item once the work staff started on it is done (the supplier answered)."""
    ReviewItem.objects.filter(pk=item_id, status=ReviewItem.Status.OPEN).update(
        status=ReviewItem.Status.RESOLVED, note=note[:4000], resolved_at=timezone.now(), resolved_by=staff)


def _close(*, item: ReviewItem, staff, note: str) -> ReviewItem:
    ReviewItem.objects.filter(pk=item.pk, status=ReviewItem.Status.OPEN).update(
        status=ReviewItem.Status.RESOLVED, note=note, resolved_at=timezone.now(), resolved_by=staff)
    item.refresh_from_db()
    return item
