"""Confirming a paid supplier booking with the supplier, outside any transaction.

The HTTP call happens with no row locked; its answer is then applied in a short transaction
that re-reads the booking and returns if it already moved (idempotent). Transient failures
(SupplierUnavailable, SupplierRateLimited, a still-pending answer) propagate so the task
retries with backoff; after the last retry the booking goes to the review queue.
"""
from django.db import transaction
from django.db.models import F

from bookings import events
from bookings.models import Booking, ReviewItem, SupplierHold
from bookings.publishing import publish_confirmed
from bookings.services.review import review_open
from core.errors import Unavailable
from core.outbox import enqueue_after_commit

S = Booking.Status


class SupplierStillPending(Unavailable):
    """The supplier accepted the booking but has not confirmed it yet; ask again later."""

    code = "supplier_pending"


CONFIRM_TASK = "suppliers.bookings_confirm"


def supplier_confirmation_enqueue(*, booking: Booking) -> None:
    """Queue the confirmation (an outbox row in the current transaction; sent after commit)."""
    enqueue_after_commit(task=CONFIRM_TASK, kwargs={"reference": booking.reference}, key=booking.reference)


def _traveller(booking: Booking) -> dict:
    """Who the supplier should expect: the lead guest (the account for bookings placed before
    guests were collected) and every guest's name."""
    user = booking.user
    name = booking.lead_name or user.get_full_name() or user.username
    return {"name": name, "email": booking.lead_email or user.email, "phone": booking.lead_phone,
            "guests": booking.guests, "guest_names": [name, *(g.name for g in booking.other_guests.all())],
            "arrival_time": booking.arrival_time.strftime("%H:%M") if booking.arrival_time else "",
            "special_requests": booking.special_requests, **_passengers(booking, name)}


def _passengers(booking: Booking, lead_name: str) -> dict:
    """Flights: every passenger with date of birth and document number (none for other kinds, or
    for a flight booked before they were collected)."""
    if booking.kind != Booking.Kind.FLIGHT or booking.lead_date_of_birth is None:
        return {}
    people = [(lead_name, booking.lead_date_of_birth, booking.lead_document_number)] + [
        (g.name, g.date_of_birth, g.document_number) for g in booking.other_guests.all()]
    return {"passengers": [{"name": n, "date_of_birth": born.isoformat() if born else "", "document_number": doc}
                           for n, born, doc in people]}


def booking_supplier_confirm(*, reference: str) -> str:
    """Ask the supplier to confirm (or for the status of) the paid booking ``reference``."""
    from suppliers import supplier_book, supplier_booking_status
    from suppliers.errors import SupplierRefused

    booking = Booking.objects.select_related("user", "supplier_hold").filter(reference=reference).first()
    if booking is None or not booking.is_supplier or booking.status != S.PAYMENT_CONFIRMED:
        return "nothing to do"
    hold = booking.supplier_hold
    SupplierHold.objects.filter(pk=hold.pk).update(attempts=F("attempts") + 1)
    try:
        if hold.supplier_ref:
            answer = supplier_booking_status(kind=hold.kind, supplier_ref=hold.supplier_ref)
        else:
            answer = supplier_book(kind=hold.kind, offer_id=hold.offer_id, reference=booking.reference,
                                   traveller=_traveller(booking))
    except SupplierRefused as exc:
        return _refused(reference=reference, error=str(exc))
    except Exception as exc:
        SupplierHold.objects.filter(pk=hold.pk).update(last_error=repr(exc)[:2000])
        raise
    status = str(getattr(answer, "status", answer))
    supplier_ref = getattr(answer, "supplier_ref", "") or hold.supplier_ref
    return _apply(reference=reference, status=status, supplier_ref=supplier_ref)


def _apply(*, reference: str, status: str, supplier_ref: str) -> str:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(reference=reference)
        if booking.status != S.PAYMENT_CONFIRMED:
            return "already moved"
        if status == "confirmed":
            SupplierHold.objects.filter(booking=booking).update(
                status=SupplierHold.Status.CONFIRMED, supplier_ref=supplier_ref, last_error="")
            events.transition(booking=booking, to=S.CONFIRMED, action="booking.supplier.confirmed",
                              actor=events.SUPPLIER, data={"supplier_ref": supplier_ref})
            publish_confirmed(booking)
            return "confirmed"
        if status in ("refused", "failed", "cancelled", "rejected"):
            return _refused(reference=reference, error=f"supplier status {status}")
        first_time = SupplierHold.objects.filter(booking=booking).exclude(supplier_ref=supplier_ref).update(
            status=SupplierHold.Status.PENDING, supplier_ref=supplier_ref)
        if first_time:
            events.record(booking=booking, action="booking.supplier.pending", actor=events.SUPPLIER,
                          data={"supplier_ref": supplier_ref})
    raise SupplierStillPending(f"supplier booking {supplier_ref} is {status}")


def _refused(*, reference: str, error: str) -> str:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(reference=reference)
        SupplierHold.objects.filter(booking=booking).update(status=SupplierHold.Status.REFUSED, last_error=error[:2000])
        events.record(booking=booking, action="booking.supplier.refused", actor=events.SUPPLIER, data={"error": error})
        review_open(booking=booking, reason=ReviewItem.Reason.SUPPLIER_REFUSED, actor=events.SUPPLIER,
                    detail=f"The supplier refused the booking: {error}")
    return "refused: review"


def supplier_confirmation_gave_up(*, reference: str, error: str) -> None:
    """After the last retry: record it and put the booking in front of staff."""
    booking = Booking.objects.filter(reference=reference).first()
    if booking is None or booking.status != S.PAYMENT_CONFIRMED:
        return
    with transaction.atomic():
        events.record(booking=booking, action="booking.supplier.gave_up", data={"error": error[:500]})
        review_open(booking=booking, reason=ReviewItem.Reason.SUPPLIER_UNAVAILABLE,
                    detail=f"The supplier could not be reached after every retry: {error}")
