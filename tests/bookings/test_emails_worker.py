"""Booking emails through the real path: the outbox hands booking.* topics and the lifecycle's
queued sends to RabbitMQ, a real Celery worker sends them (to a file backend this test reads),
and a redelivered message sends nothing again."""
import email
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from bookings.models import Booking, SentEmail
from bookings.payments.selectors import coin_amount
from bookings.payments.services import invoice_sync
from core.models import OutboxMessage
from tests.bookings import chain
from tests.factories import place_stay_through_api
from tests.fixtures.worker import queues_drained, wait_for, worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_sandboxes")]


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """Where the worker's file backend writes (set before the worker starts: it reads EMAIL_URL)."""
    path = tmp_path / "mail"
    path.mkdir()
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{path}")
    return path


@pytest.fixture
def mail_worker(mail_dir, django_db_setup, django_db_blocker, artifacts_dir):
    with worker_process(queues=list(settings.TASK_QUEUES), purge=("dead-letter",), name="mail",
                        log_path=artifacts_dir / "celery-worker-mail.log", django_db_blocker=django_db_blocker) as app:
        yield app


def sent(mail_dir) -> list[email.message.EmailMessage]:
    """Every message the worker's file backend wrote (one file per connection, 79 dashes apart)."""
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=policy.default))
    return messages


def subjects(mail_dir) -> list[str]:
    return sorted(str(m["subject"]) for m in sent(mail_dir))


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_traveller_is_told_each_step_once_even_when_a_message_comes_twice(mail_worker, mail_dir, api, room):
    # given a traveller who books two nights for two guests
    reference = place_stay_through_api(api, room, key="mail-1")
    check_in = timezone.localdate() + timedelta(days=10)

    # then "booking received" arrives, with the link to pay
    assert wait_for(lambda: len(sent(mail_dir)) >= 1), "no booking-received email"
    [received] = sent(mail_dir)
    assert received["to"] == "ana@example.com, traveller@example.com"
    assert f"Reference: {reference}" in _text(received) and f"/pay/{reference}/?t=" in _text(received)

    # when they pay, they hear "payment received" and get the voucher with its calendar file
    chain.pay(reference)
    assert wait_for(lambda: len(sent(mail_dir)) >= 3, timeout=40), subjects(mail_dir)
    assert subjects(mail_dir) == sorted([f"Booking {reference} received: complete your payment",
                                         f"Payment received for booking {reference}",
                                         f"Booking {reference} confirmed: your voucher"])
    voucher = next(m for m in sent(mail_dir) if "voucher" in str(m["subject"]))
    [attachment] = list(voucher.iter_attachments())
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    booking = Booking.objects.select_related("property__destination").get(reference=reference)
    zone = ZoneInfo(booking.property.destination.timezone)
    assert event.decoded("dtstart") == datetime.combine(check_in, booking.property.check_in_time, tzinfo=zone)
    assert event.decoded("dtend") == datetime.combine(check_in + timedelta(days=2), booking.property.check_out_time,
                                                      tzinfo=zone)

    # when the broker delivers the same messages again (at-least-once delivery)
    confirmed = OutboxMessage.objects.get(topic="booking.confirmed", key=reference)
    mail_worker.tasks["bookings.email_on_event"].apply_async(kwargs={
        "message_id": confirmed.pk, "topic": confirmed.topic, "key": confirmed.key, "payload": confirmed.payload})
    queued = OutboxMessage.objects.get(topic="task:bookings.send_email", key=reference)
    mail_worker.tasks["bookings.send_email"].apply_async(kwargs=queued.payload["kwargs"])
    assert wait_for(lambda: queues_drained(mail_worker, settings.TASK_QUEUES), timeout=30)

    # then nothing is sent twice
    assert len(sent(mail_dir)) == 3 and SentEmail.objects.filter(booking__reference=reference).count() == 3


def test_each_part_of_a_payment_is_told_with_what_is_still_due_and_a_repeat_sends_nothing(
        mail_worker, mail_dir, api, room):
    # given a booking whose traveller pays a third of it, then another third
    reference = place_stay_through_api(api, room, key="mail-parts")
    invoice = chain.submitted(reference)
    due, coin = invoice.amount_due, invoice.coin
    third = (due / 3).quantize(coin.quantum)
    partial = f"Booking {reference}: part of your payment arrived"

    chain.pay(reference, third, confirm=False)
    assert wait_for(lambda: subjects(mail_dir).count(partial) == 1, timeout=40), subjects(mail_dir)
    chain.pay(reference, third, confirm=False)

    # then a second "part of your payment arrived" tells the new amount still due
    assert wait_for(lambda: subjects(mail_dir).count(partial) == 2, timeout=40), subjects(mail_dir)
    told = [_text(m) for m in sent(mail_dir) if str(m["subject"]) == partial]
    [first] = [t for t in told if f"arrived: {coin_amount(third, coin)} of {coin_amount(due, coin)} BTC" in t]
    [second] = [t for t in told if f"arrived: {coin_amount(2 * third, coin)} of {coin_amount(due, coin)} BTC" in t]
    assert f"Send the remaining {coin_amount(due - third, coin)} BTC" in first
    assert f"Send the remaining {coin_amount(due - 2 * third, coin)} BTC" in second

    # when the same payment news comes again (a webhook delivered twice) and a send is redelivered
    invoice_sync(invoice=chain.invoice_of(reference))
    queued = OutboxMessage.objects.filter(topic="task:bookings.send_email", key=reference).order_by("-pk").first()
    mail_worker.tasks["bookings.send_email"].apply_async(kwargs=queued.payload["kwargs"])
    assert wait_for(lambda: queues_drained(mail_worker, settings.TASK_QUEUES), timeout=30)

    # then nothing more is sent
    assert subjects(mail_dir).count(partial) == 2
    assert SentEmail.objects.filter(booking__reference=reference, kind="payment_partial").count() == 2
    assert OutboxMessage.objects.filter(topic="payment.partial", key=reference).count() == 2
