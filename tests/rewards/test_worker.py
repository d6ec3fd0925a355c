"""Booking events through the real outbox, RabbitMQ and a real Celery worker, into PostgreSQL."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from core.models import FailedTask
from core.outbox import outbox_publish
from rewards.models import Account, Entry
from rewards.selectors import ledger_mismatches
from rewards.services import balance_adjust, points_hold
from tests.factories import StaffUserFactory, UserFactory
from tests.fixtures.worker import queues_drained, wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]



def publish(topic, **payload):
    with transaction.atomic():
        outbox_publish(topic=topic, key=payload["reference"], payload=payload)


def balance(user):
    account = Account.objects.filter(user=user).first()
    return (account.available, account.pending, account.held) if account else None


def test_booking_events_through_rabbitmq_earn_redeem_and_complete_once(celery_worker):
    user = UserFactory()
    balance_adjust(user_id=user.pk, points=1000, reason="opening balance", staff_user=StaffUserFactory())
    with transaction.atomic():  # the placement: points reserved in the booking's transaction
        points_hold(user=user, booking_reference="LT-MQ-1", amount=1000, fiat_total=Decimal("100.00"),
                    currency="USD")
        outbox_publish(topic="booking.placed", key="LT-MQ-1", payload={
            "reference": "LT-MQ-1", "user_id": user.pk, "kind": "hotel", "property_id": None, "total": "90.00",
            "currency": "USD", "points_redeemed": 1000})
    confirmed = {"reference": "LT-MQ-1", "user_id": user.pk, "kind": "hotel", "property_id": None,
                 "total": "90.00", "currency": "USD", "check_in": date.today().isoformat(),
                 "check_out": (date.today() + timedelta(days=2)).isoformat()}

    publish("booking.confirmed", **confirmed)
    publish("booking.confirmed", **confirmed)  # delivered twice

    assert wait_for(lambda: balance(user) == (0, 90, 0)), balance(user)

    publish("stay.completed", reference="LT-MQ-1", user_id=user.pk, total="90.00", currency="USD",
            check_out=date.today().isoformat())

    assert wait_for(lambda: balance(user) == (90, 0, 0)), balance(user)
    assert wait_for(lambda: queues_drained(celery_worker, settings.TASK_QUEUES)), "a task is still in flight"
    assert balance(user) == (90, 0, 0)
    assert sorted(Entry.objects.filter(booking_reference="LT-MQ-1").values_list("kind", flat=True)) == [
        "earn", "hold", "redeem", "vest"]
    assert ledger_mismatches() == []
    assert not FailedTask.objects.filter(task_name__startswith="rewards.").exists()
