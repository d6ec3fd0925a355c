"""Points expire a set time after they became available, oldest first (controlled clock)."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from rewards.models import Entry
from rewards.selectors import balance_from_entries, balance_of
from rewards.services import (
    booking_confirmed_apply,
    points_expire_all,
    points_hold,
    stay_completed_apply,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


def stay(user, reference, total):
    booking_confirmed_apply(user_id=user.pk, reference=reference, total=total, currency="USD")
    stay_completed_apply(user_id=user.pk, reference=reference, total=total, currency="USD")


def available(user):
    balance = balance_of(user=user)
    assert balance_from_entries(account=user.rewards_account) == balance
    return balance.available


def test_points_expire_oldest_first_after_the_configured_period(settings):
    settings.REWARDS_EXPIRY_DAYS = 365
    user = UserFactory()
    with time_machine.travel(T0, tick=False):
        stay(user, "LT-OLD", Decimal("200.00"))  # 200 points available on T0
    with time_machine.travel(T0 + timedelta(days=200), tick=False):
        stay(user, "LT-NEW", Decimal("300.00"))  # 300 more on T0+200
    with time_machine.travel(T0 + timedelta(days=250), tick=False):
        # spending takes the oldest points first: 150 of the 200 from T0
        points_hold(user=user, booking_reference="LT-SPEND", amount=150, fiat_total=Decimal("10"), currency="USD")
        booking_confirmed_apply(user_id=user.pk, reference="LT-SPEND", total="8.50", currency="USD")
    assert available(user) == 350

    # when the day before the first points' anniversary passes: nothing expires
    with time_machine.travel(T0 + timedelta(days=364), tick=False):
        assert points_expire_all() == 0
    assert available(user) == 350

    # then a year after T0 the 50 left of them expire, and the sweep is idempotent
    with time_machine.travel(T0 + timedelta(days=366), tick=False):
        assert points_expire_all() == 50
        assert points_expire_all() == 0
    assert available(user) == 300

    # and a year after T0+200 the rest go
    with time_machine.travel(T0 + timedelta(days=566), tick=False):
        assert points_expire_all() == 300
    assert available(user) == 0
    assert [e.available_delta for e in Entry.objects.filter(kind="expire").order_by("id")] == [-50, -300]


def test_points_returned_from_a_failed_booking_keep_their_age(settings):
    settings.REWARDS_EXPIRY_DAYS = 30
    user = UserFactory()
    from rewards.services import booking_ended_apply

    with time_machine.travel(T0, tick=False):
        stay(user, "LT-A", Decimal("100.00"))  # 100 points
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        points_hold(user=user, booking_reference="LT-B", amount=100, fiat_total=Decimal("10"), currency="USD")
        booking_ended_apply(user_id=user.pk, reference="LT-B", reason="expired")
    assert available(user) == 100

    with time_machine.travel(T0 + timedelta(days=31), tick=False):
        assert points_expire_all() == 100
    assert available(user) == 0
