"""Sending a traveller's email about their booking: once per booking and kind.

The claim is a ``SentEmail`` row (unique on booking × kind) inserted in the same transaction
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


def booking_email_queue(*, booking: Booking, kind: str) -> None:
    """Send ``kind`` for ``booking`` after the current transaction commits (an outbox row)."""
    enqueue_after_commit(task=SEND_TASK, kwargs={"reference": booking.reference, "kind": str(kind)},
                         key=booking.reference)


def booking_email_send(*, reference: str, kind: str) -> str:
    """Send the email once. Returns what happened (for logs and tests)."""
    kind = EmailKind(kind)
    booking = (Booking.objects.select_related("user", "property__destination")
               .filter(reference=reference).first())
    if booking is None:
        return "unknown booking"
    if SentEmail.objects.filter(booking=booking, kind=kind).exists():
        return "already sent"
    message = email_message(booking=booking, kind=kind)
    try:
        with transaction.atomic():
            SentEmail.objects.create(booking=booking, kind=kind, subject=message.subject[:200],
                                     recipients=", ".join(message.to)[:600])
            if message.to:
                message.send()
    except IntegrityError:  # a twin sent it (and committed) while we were composing
        return "already sent"
    return "sent" if message.to else "no address"
