"""Booking events published through the outbox move points: once each, in any order."""
from decimal import Decimal

import pytest

from rewards.models import Entry
from rewards.selectors import balance_from_entries, balance_of
from rewards.services import points_hold
from tests.rewards.conftest import give_points, new_reference

pytestmark = pytest.mark.django_db


def state(user):
    balance = balance_of(user=user)
    account = user.rewards_account
    assert balance_from_entries(account=account) == balance, "cached balance differs from the entries"
    return balance.available, balance.pending, balance.held


def test_confirmed_earns_pending_points_and_completed_makes_them_available(events, traveller):
    ref = new_reference()

    events.placed(traveller, ref)
    events.confirmed(traveller, ref, total="200.00")
    # Explorer earns 1%: 2.00 of value = 200 points at 0.01 a point
    assert state(traveller) == (0, 200, 0)

    events.completed(traveller, ref, total="200.00")
    assert state(traveller) == (200, 0, 0)


def test_the_same_events_twice_credit_once(events, traveller):
    ref = new_reference()

    for _ in range(2):
        events.confirmed(traveller, ref)
    for _ in range(2):
        events.completed(traveller, ref)

    assert state(traveller) == (200, 0, 0)
    assert Entry.objects.filter(booking_reference=ref).count() == 2  # one earn, one vest


def test_completed_before_confirmed_ends_available_once(events, traveller):
    ref = new_reference()

    events.completed(traveller, ref, total="300.00")
    events.confirmed(traveller, ref, total="300.00")
    events.completed(traveller, ref, total="300.00")

    assert state(traveller) == (300, 0, 0)


def test_earn_then_cancel_reverses_the_pending_points(events, traveller):
    ref = new_reference()
    events.confirmed(traveller, ref)
    assert state(traveller) == (0, 200, 0)

    events.cancelled(traveller, ref)
    events.cancelled(traveller, ref)

    assert state(traveller) == (0, 0, 0)
    kinds = list(Entry.objects.filter(booking_reference=ref).order_by("id").values_list("kind", flat=True))
    assert kinds == ["earn", "reverse"]


def test_cancelled_before_confirmed_never_earns(events, traveller):
    ref = new_reference()

    events.cancelled(traveller, ref)
    events.confirmed(traveller, ref)
    events.completed(traveller, ref)

    assert state(traveller) == (0, 0, 0)
    assert not Entry.objects.filter(booking_reference=ref).exists()


def test_cancel_after_the_stay_completed_keeps_the_points(events, traveller):
    ref = new_reference()
    events.confirmed(traveller, ref)
    events.completed(traveller, ref)

    events.cancelled(traveller, ref)

    assert state(traveller) == (200, 0, 0)


def test_points_redeemed_then_booking_expires_returns_them(events, traveller, staff):
    give_points(traveller, 5000, staff)
    ref = new_reference()
    discount = points_hold(user=traveller, booking_reference=ref, amount=3000, fiat_total=Decimal("120.00"),
                           currency="USD")
    assert discount == Decimal("30.00")
    events.placed(traveller, ref, total="90.00", points_redeemed=3000)
    assert state(traveller) == (2000, 0, 3000)

    events.expired(traveller, ref)
    events.expired(traveller, ref)

    assert state(traveller) == (5000, 0, 0)


@pytest.mark.parametrize("end", ["failed", "cancelled"])
def test_points_held_are_returned_when_the_booking_fails_or_is_cancelled(events, traveller, staff, end):
    give_points(traveller, 1000, staff)
    ref = new_reference()
    points_hold(user=traveller, booking_reference=ref, amount=1000, fiat_total=Decimal("50"), currency="USD")

    getattr(events, end)(traveller, ref)

    assert state(traveller) == (1000, 0, 0)


def test_confirmation_consumes_the_reserved_points_and_earns_on_the_amount_paid(events, traveller, staff):
    give_points(traveller, 4000, staff)
    ref = new_reference()
    points_hold(user=traveller, booking_reference=ref, amount=4000, fiat_total=Decimal("100.00"), currency="USD")
    events.placed(traveller, ref, total="60.00", points_redeemed=4000)

    events.confirmed(traveller, ref, total="60.00")
    events.confirmed(traveller, ref, total="60.00")

    assert state(traveller) == (0, 60, 0)  # 1% of 60.00 paid
    assert Entry.objects.get(booking_reference=ref, kind="redeem").held_delta == -4000


def test_cancel_after_confirmation_returns_the_redeemed_points_and_reverses_the_earn(events, traveller, staff):
    give_points(traveller, 4000, staff)
    ref = new_reference()
    points_hold(user=traveller, booking_reference=ref, amount=4000, fiat_total=Decimal("100.00"), currency="USD")
    events.confirmed(traveller, ref, total="60.00")

    events.cancelled(traveller, ref)

    assert state(traveller) == (4000, 0, 0)


def test_tier_earn_rate_follows_completed_spend(events, traveller):
    # given 1,200.00 of completed stays: Silver, 3%
    first = new_reference()
    events.confirmed(traveller, first, total="1200.00")
    events.completed(traveller, first, total="1200.00")
    assert state(traveller) == (1200, 0, 0)  # earned at Explorer's 1%

    second = new_reference()
    events.confirmed(traveller, second, total="100.00")

    assert state(traveller) == (1200, 300, 0)  # 3% of 100.00 = 300 points


def test_an_event_that_cannot_be_applied_is_recorded_for_staff_not_retried(eager_celery, traveller):
    from core.models import FailedTask
    from rewards.tasks import on_booking_confirmed

    payload = {"reference": "LT-BAD", "user_id": 987654321, "kind": "hotel", "property_id": None,
               "total": "100.00", "currency": "USD", "check_in": "2026-01-01", "check_out": "2026-01-03"}

    result = on_booking_confirmed.apply(kwargs={"message_id": 1, "topic": "booking.confirmed", "key": "LT-BAD",
                                                "payload": payload}, throw=False)

    assert result.failed()

    failed = FailedTask.objects.get(task_name="rewards.on_booking_confirmed")
    assert "Unknown traveller 987654321" in failed.error
    assert not Entry.objects.exists()
