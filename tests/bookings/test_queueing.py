"""Work queued after commit goes through the outbox: a broker outage never turns a committed
booking into an error, never gives a price lock back, and never loses the work queued with it."""
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, ReviewItem
from bookings.payments.models import Invoice
from bookings.services.lifecycle import booking_on_payment
from bookings.services.recovery import bookings_requeue_stuck
from core.models import OutboxMessage
from core.outbox import outbox_sweep
from tests.bookings.conftest import supplier_booking
from tests.core.broker import broker_unreachable
from tests.factories import guests_body
from tests.fixtures.worker import wait_for


def _lock_stay(api, room):
    check_in = timezone.localdate() + timedelta(days=10)
    response = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC",
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["lock_id"]


def _place(api, lock_id, key):
    return api.post("/api/bookings/", {"lock_id": lock_id, "guests": guests_body()}, content_type="application/json",
                    headers={"Idempotency-Key": key})


def _offer(check_in_days=20):
    from suppliers import search_offers

    check_in = timezone.localdate() + timedelta(days=check_in_days)
    return search_offers(kind="hotel", destination="Bali", check_in=check_in,
                         check_out=check_in + timedelta(days=2), guests=2, rooms=1).offers[0]


@pytest.mark.usefixtures("clean_sandboxes")
@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_placing_while_the_broker_is_unreachable_books_once_per_lock_and_delivers_later(celery_worker, api, room):
    lock_id = _lock_stay(api, room)

    # when the broker is unreachable for the request (and for a second try with the same lock)
    with broker_unreachable():
        placed = _place(api, lock_id, key="first")
        again = _place(api, lock_id, key="second")

    # then the booking is placed (201) and the lock is spent: one booking for one lock
    assert placed.status_code == 201, placed.content
    assert again.status_code == 410 and b"lock_used" in again.content
    assert Booking.objects.count() == 1
    reference = placed.json()["reference"]
    invoice = Invoice.objects.get(reference=reference)
    assert not invoice.processor_id  # its submission waits in the outbox
    waiting = OutboxMessage.objects.get(topic="task:payments.submit_invoice", key=str(invoice.pk))
    assert waiting.published_at is None and waiting.last_error

    # when the broker is back, the outbox sweep hands the work over, and the worker submits the invoice
    assert outbox_sweep(older_than=timedelta(0)) >= 1
    assert wait_for(lambda: Invoice.objects.get(pk=invoice.pk).processor_id, timeout=60), \
        "the invoice was never submitted"
    assert Invoice.objects.get(pk=invoice.pk).address


@pytest.mark.usefixtures("clean_sandboxes")
@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_a_supplier_confirmation_whose_publish_fails_after_commit_is_sent_by_the_sweep(
    celery_worker, traveller, coins, supplier_app
):
    booking = supplier_booking(user=traveller, offer=_offer(), status=Booking.Status.PENDING)

    # when the payment settles while the broker is unreachable
    with broker_unreachable():
        outcome = booking_on_payment(topic="payment.settled", payload={"reference": booking.reference},
                                     message_id=1)

    # then the payment is recorded (nothing raised after commit) and the confirmation waits
    assert outcome == "payment confirmed: supplier next"
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PAYMENT_CONFIRMED
    waiting = OutboxMessage.objects.get(topic="task:suppliers.bookings_confirm", key=booking.reference)
    assert waiting.published_at is None

    # and once the broker is back the sweep sends it: the supplier confirms the booking
    outbox_sweep(older_than=timedelta(0))
    assert wait_for(lambda: Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED, timeout=40)


@pytest.mark.usefixtures("clean_sandboxes")
@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_a_paid_supplier_booking_with_nothing_queued_is_picked_up_and_confirmed(
    celery_worker, traveller, coins, supplier_app
):
    # given a paid supplier booking whose confirmation was lost (nothing queued for it)
    booking = supplier_booking(user=traveller, offer=_offer(), status=Booking.Status.PAYMENT_CONFIRMED)
    Booking.objects.filter(pk=booking.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert not OutboxMessage.objects.filter(key=booking.reference, topic__startswith="task:").exists()

    # when the stuck-work sweep runs
    assert bookings_requeue_stuck() == [booking.reference]

    # then the worker confirms it with the supplier, and a second sweep queues nothing again
    assert wait_for(lambda: Booking.objects.get(pk=booking.pk).status == Booking.Status.CONFIRMED, timeout=40)
    assert bookings_requeue_stuck(older_than=timedelta(0)) == []


@pytest.mark.django_db
def test_the_stuck_sweep_leaves_what_is_queued_in_progress_or_in_front_of_staff(
    traveller, coins, suppliers_sandbox, django_capture_on_commit_callbacks
):
    old = timezone.now() - timedelta(minutes=5)
    queued, handed_over, in_review, lost = (
        supplier_booking(user=traveller, offer=_offer(days), status=Booking.Status.PAYMENT_CONFIRMED)
        for days in (20, 21, 22, 23)
    )
    with django_capture_on_commit_callbacks(execute=False):  # broker down: stays in the outbox
        from bookings.services.supplier import supplier_confirmation_enqueue

        supplier_confirmation_enqueue(booking=queued)
        supplier_confirmation_enqueue(booking=handed_over)
    OutboxMessage.objects.filter(key=handed_over.reference).update(published_at=timezone.now())
    ReviewItem.objects.create(booking=in_review, reason=ReviewItem.Reason.SUPPLIER_UNAVAILABLE)
    Booking.objects.update(updated_at=old)

    with django_capture_on_commit_callbacks(execute=False):
        requeued = bookings_requeue_stuck()

    assert requeued == [lost.reference]
    assert OutboxMessage.objects.filter(key=lost.reference, topic="task:suppliers.bookings_confirm").count() == 1
    with django_capture_on_commit_callbacks(execute=False):
        assert bookings_requeue_stuck() == []  # now queued: not twice
