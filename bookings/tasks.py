"""Thin Celery tasks: load ids, call a service. Retries back off exponentially (with jitter);
after the last one ``ReliableTask`` records the failure and the booking lands in review."""
import random

from celery import shared_task
from django.conf import settings

from core.task_base import ReliableTask


def backoff(retries: int, *, base: float | None = None, cap: float = 300.0) -> float:
    """base·2^retries seconds, capped, with up to 50 % jitter (never below half)."""
    base = settings.BOOKINGS_RETRY_BACKOFF if base is None else base
    delay = min(cap, base * (2 ** retries))
    return delay / 2 + random.uniform(0, delay / 2)


class BookingTask(ReliableTask):
    def on_exhausted(self, *, exc, args, kwargs):
        from bookings.models import Booking, ReviewItem
        from bookings.services.review import review_open

        reference = (kwargs or {}).get("reference") or ((kwargs or {}).get("payload") or {}).get("reference")
        booking = Booking.objects.filter(reference=reference or "").first()
        if booking is not None:
            review_open(booking=booking, reason=ReviewItem.Reason.DEAD_LETTER,
                        detail=f"{self.name} gave up: {exc!r}"[:2000])


@shared_task(name="bookings.on_payment", base=BookingTask, bind=True, max_retries=5)
def on_payment(self, *, message_id, topic, key, payload):
    """payments' outbox topics (payment.*) as seen by the booking."""
    from bookings.services.lifecycle import booking_on_payment

    try:
        return booking_on_payment(topic=topic, payload=payload, message_id=message_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))


class SupplierConfirmTask(ReliableTask):
    def on_exhausted(self, *, exc, args, kwargs):
        from bookings.services.supplier import supplier_confirmation_gave_up

        supplier_confirmation_gave_up(reference=kwargs["reference"], error=repr(exc))


@shared_task(name="suppliers.bookings_confirm", base=SupplierConfirmTask, bind=True)
def confirm_with_supplier(self, *, reference):
    """Confirm a paid supplier booking; transient supplier trouble retries with backoff."""
    from bookings.services.supplier import SupplierStillPending, booking_supplier_confirm
    from suppliers.errors import SupplierRateLimited, SupplierUnavailable

    self.max_retries = settings.BOOKINGS_SUPPLIER_MAX_RETRIES
    try:
        return booking_supplier_confirm(reference=reference)
    except (SupplierUnavailable, SupplierRateLimited, SupplierStillPending) as exc:
        countdown = backoff(self.request.retries)
        countdown = max(countdown, float(getattr(exc, "retry_after", 0) or 0))
        raise self.retry(exc=exc, countdown=countdown)


class SupplierCancelTask(ReliableTask):
    def on_exhausted(self, *, exc, args, kwargs):
        from bookings.services.supplier_cancel import supplier_cancellation_gave_up

        supplier_cancellation_gave_up(reference=kwargs["reference"], error=repr(exc))


@shared_task(name="suppliers.bookings_cancel", base=SupplierCancelTask, bind=True)
def cancel_with_supplier(self, *, reference):
    """Cancel a confirmed supplier booking at the supplier, then refund by its answer; transient
    supplier trouble retries with backoff (the booking shows "cancellation pending" meanwhile)."""
    from bookings.services.supplier_cancel import booking_supplier_cancel
    from suppliers.errors import SupplierRateLimited, SupplierUnavailable

    self.max_retries = settings.BOOKINGS_SUPPLIER_MAX_RETRIES
    try:
        return booking_supplier_cancel(reference=reference)
    except (SupplierUnavailable, SupplierRateLimited) as exc:
        countdown = max(backoff(self.request.retries), float(getattr(exc, "retry_after", 0) or 0))
        raise self.retry(exc=exc, countdown=countdown)


@shared_task(name="bookings.expire_unpaid", base=ReliableTask, max_retries=0)
def expire_unpaid() -> int:
    from bookings.services.lifecycle import bookings_expire_unpaid

    return bookings_expire_unpaid()


@shared_task(name="bookings.complete_stays", base=ReliableTask, max_retries=0)
def complete_stays() -> int:
    from bookings.services.lifecycle import bookings_complete_stays

    return bookings_complete_stays()


@shared_task(name="bookings.notify_review", base=ReliableTask, bind=True, max_retries=5)
def notify_review(self, *, item_id):
    from bookings.notifications import review_notify

    try:
        return review_notify(item_id=item_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))


@shared_task(name="bookings.requeue_stuck", base=ReliableTask, max_retries=0)
def requeue_stuck() -> int:
    """Periodic: queue again the next step of bookings stuck with nothing queued for them."""
    from bookings.services.recovery import bookings_requeue_stuck

    return len(bookings_requeue_stuck())


@shared_task(name="bookings.send_email", base=ReliableTask, bind=True, max_retries=5)
def send_email(self, *, reference, kind):
    """One email to the traveller (queued by the booking's services), sent once."""
    from bookings.services.emails import booking_email_send

    try:
        return booking_email_send(reference=reference, kind=kind)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))


@shared_task(name="bookings.email_on_event", base=ReliableTask, bind=True, max_retries=5)
def email_on_event(self, *, message_id, topic, key, payload):
    """booking.placed / confirmed / expired / cancelled: the traveller's email for it, sent once."""
    from bookings.emails.kinds import TOPIC_KINDS
    from bookings.services.emails import booking_email_send

    try:
        return booking_email_send(reference=payload.get("reference") or key, kind=TOPIC_KINDS[topic])
    except Exception as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries))
