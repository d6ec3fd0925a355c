"""Rewards fixtures: booking events published through the real outbox, delivered in-process."""
import itertools
from datetime import date, timedelta

import pytest
from django.db import transaction

from core.models import OutboxMessage
from core.outbox import outbox_publish
from rewards.services import balance_adjust
from tests.factories import StaffUserFactory, UserFactory

_refs = itertools.count(1)


@pytest.fixture
def eager_celery(eager_tasks, settings):
    """Run subscriber tasks in-process, as the embedded mode does, and surface their errors."""
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    return eager_tasks


@pytest.fixture
def traveller(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffUserFactory()


@pytest.fixture
def demo_rewards(db):
    """The demo traveller and admin (as travel's demo makes them) with rewards' demo seeded."""
    from rewards import demo

    UserFactory(username="traveller", password="traveller-demo-pass")
    UserFactory(username="admin", password="admin-demo-pass", is_staff=True, is_superuser=True)
    demo.seed()
    return demo


def new_reference() -> str:
    return f"LT-T{next(_refs):05d}"


class Events:
    """Publishes the booking events of docs/contracts.md, as the bookings app does."""

    def __init__(self, capture):
        self._capture = capture

    def publish(self, topic: str, **payload) -> OutboxMessage:
        with self._capture(execute=True):
            with transaction.atomic():
                message = outbox_publish(topic=topic, key=payload["reference"], payload=payload)
        message.refresh_from_db()
        assert message.published_at is not None and not message.last_error, message.last_error
        return message

    def placed(self, user, reference, *, total="200.00", points_redeemed=0):
        return self.publish("booking.placed", reference=reference, user_id=user.pk, kind="hotel",
                            property_id=None, total=str(total), currency="USD", points_redeemed=points_redeemed)

    def confirmed(self, user, reference, *, total="200.00", check_out=None):
        check_out = check_out or date.today() + timedelta(days=10)
        return self.publish("booking.confirmed", reference=reference, user_id=user.pk, kind="hotel",
                            property_id=None, total=str(total), currency="USD",
                            check_in=(check_out - timedelta(days=2)).isoformat(), check_out=check_out.isoformat())

    def completed(self, user, reference, *, total="200.00"):
        return self.publish("stay.completed", reference=reference, user_id=user.pk, total=str(total),
                            currency="USD", check_out=date.today().isoformat())

    def cancelled(self, user, reference):
        return self.publish("booking.cancelled", reference=reference, user_id=user.pk, refund_method="crypto")

    def expired(self, user, reference):
        return self.publish("booking.expired", reference=reference, user_id=user.pk)

    def failed(self, user, reference):
        return self.publish("booking.failed", reference=reference, user_id=user.pk)


@pytest.fixture
def events(eager_celery, django_capture_on_commit_callbacks):
    return Events(django_capture_on_commit_callbacks)


def give_points(user, points: int, staff) -> None:
    balance_adjust(user_id=user.pk, points=points, reason="test credit", staff_user=staff)
