"""Finding bookings stuck in a non-final state with nothing queued for them, and queueing their
next step again (the periodic ``bookings.requeue_stuck``).

Every next step is queued through the outbox, so an unpublished row means "queued" and a row
handed over recently means "in progress" (the task may still be retrying). Anything else in a
waiting state for longer than ``older_than`` lost its work (a task that gave up without a review,
a row from before the outbox carried tasks) and is queued again. The tasks are idempotent, so a
second copy is harmless; bookings in front of staff (an open review item) are left to staff.

- ``payment_confirmed`` supplier booking -> ``suppliers.bookings_confirm``.
Pending bookings need no entry here: their invoice is swept by payments (``payments.sweep_invoices``)
and an unpaid hold expires on the clock (``bookings.expire_unpaid``).
"""
from datetime import timedelta

from django.utils import timezone

from bookings.models import Booking, ReviewItem
from bookings.services.supplier import CONFIRM_TASK, supplier_confirmation_enqueue
from core.outbox import queued_keys

# How long a handed-over confirmation may still be retrying (BOOKINGS_SUPPLIER_MAX_RETRIES tries,
# backoff doubling from BOOKINGS_RETRY_BACKOFF, capped at 5 minutes).
IN_PROGRESS = timedelta(minutes=30)


def bookings_requeue_stuck(*, older_than: timedelta = timedelta(minutes=2), in_progress: timedelta = IN_PROGRESS,
                           limit: int = 200) -> list[str]:
    """Queue the supplier confirmation of every paid supplier booking that waits for it with
    nothing queued or in progress. Returns the references queued."""
    now = timezone.now()
    waiting = list(
        Booking.objects.filter(status=Booking.Status.PAYMENT_CONFIRMED, supplier_hold__isnull=False,
                               updated_at__lte=now - older_than)
        .exclude(review_items__status=ReviewItem.Status.OPEN)
        .order_by("updated_at")[:limit]
    )
    busy = queued_keys(task=CONFIRM_TASK, keys=[b.reference for b in waiting], handed_over_since=now - in_progress)
    stuck = [booking for booking in waiting if booking.reference not in busy]
    for booking in stuck:
        supplier_confirmation_enqueue(booking=booking)
    return [booking.reference for booking in stuck]
