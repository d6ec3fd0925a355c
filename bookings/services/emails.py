"""Sending a traveller's email about their booking: once per booking and kind.

The claim is a ``SentEmail`` row (unique on booking × kind × occasion) inserted in the same transaction
that sends: a redelivered message finds the row and sends nothing; a concurrent twin waits on
the unique index until the first commits, then finds it; a send that raises rolls the claim back,
so the task's retry sends it. Only the claim row is locked while the mail server is talking,
never the booking. (A worker killed between the server's "accepted" and COMMIT sends it twice
on redelivery: at least once, then exactly once from the row on.)
"""
from django.db import IntegrityError, transaction

from bookings.emails.compose import email_message
from bookings.emails.kinds import EmailKind
from bookings.models import Booking, SentEmail
from core.outbox import enqueue_after_commit

SEND_TASK = "bookings.send_email"
# Emails about paying the invoice: a booking that credit and points paid entirely has none.
ABOUT_PAYING = (EmailKind.RECEIVED, EmailKind.PAYMENT_RECEIVED, EmailKind.PAYMENT_PARTIAL)


def email_occasion(*, booking: Booking, kind: str) -> str:
    """What makes this email a different event from an earlier one of its kind: for a partial
    payment, the amount received so far (each new part is told; the same payment news delivered
    twice finds the same amount and sends nothing); empty for the kinds sent once per booking."""
    if kind != EmailKind.PAYMENT_PARTIAL:
        return ""
    from bookings.payments.models import Invoice

    paid = Invoice.objects.filter(reference=booking.reference).values_list("amount_paid", flat=True).first()
    return f"paid {paid.normalize():f}" if paid is not None else ""


def booking_email_queue(*, booking: Booking, kind: str) -> None:
    """Send ``kind`` for ``booking`` after the current transaction commits (an outbox row)."""
    enqueue_after_commit(task=SEND_TASK, kwargs={"reference": booking.reference, "kind": str(kind)},
                         key=booking.reference)


def booking_email_send(*, reference: str, kind: str) -> str:
    """Send the email once (once per occasion, see ``email_occasion``). Returns what happened
    (for logs and tests)."""
    kind = EmailKind(kind)
    booking = (Booking.objects.select_related("user", "property__destination")
               .filter(reference=reference).first())
    if booking is None:
        return "unknown booking"
    if kind in ABOUT_PAYING and booking.total == 0:
        return "nothing to pay"  # credit and points paid it all: no invoice to pay or to have paid
    occasion = email_occasion(booking=booking, kind=kind)
    if SentEmail.objects.filter(booking=booking, kind=kind, occasion=occasion).exists():
        return "already sent"
    message = email_message(booking=booking, kind=kind)
    try:
        with transaction.atomic():
            SentEmail.objects.create(booking=booking, kind=kind, occasion=occasion, subject=message.subject[:200],
                                     recipients=", ".join(message.to)[:600])
            if message.to:
                message.send()
    except IntegrityError:  # a twin sent it (and committed) while we were composing
        return "already sent"
    return "sent" if message.to else "no address"
