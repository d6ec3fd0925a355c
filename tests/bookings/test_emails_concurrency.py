"""Twins sending the same booking email at the same instant (two deliveries of one message on
two workers) send it once: the SentEmail claim's unique index decides. The negative control
drops that index and shows the twins then all send."""
import time

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from bookings.emails.kinds import EmailKind
from bookings.models import SentEmail
from bookings.services.emails import booking_email_send
from tests.bookings.conftest import stay_booking
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TWINS = 6


@pytest.fixture
def slow_mail_server(monkeypatch):
    """Each send takes 0.3 s, as a real SMTP conversation does: a wide window for the race."""
    real_send = EmailMultiAlternatives.send

    def slow_send(self, fail_silently=False):
        time.sleep(0.3)
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)


def _send_at_once(reference):
    return run_concurrently(TWINS, lambda i: booking_email_send(reference=reference, kind=EmailKind.CONFIRMED))


def test_twins_sending_the_same_email_at_once_send_it_once(traveller, room, slow_mail_server):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])

    results = _send_at_once(booking.reference)

    assert sorted(results) == ["already sent"] * (TWINS - 1) + ["sent"], results
    assert len(mail.outbox) == 1 and SentEmail.objects.count() == 1


def test_negative_control_without_the_unique_claim_the_twins_all_send(traveller, room, slow_mail_server):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE bookings_sentemail DROP CONSTRAINT sentemail_once_per_kind_and_occasion")
    try:
        results = _send_at_once(booking.reference)

        assert results.count("sent") > 1 and len(mail.outbox) > 1, results
    finally:
        SentEmail.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE bookings_sentemail ADD CONSTRAINT sentemail_once_per_kind_and_occasion "
                           "UNIQUE (booking_id, kind, occasion)")
