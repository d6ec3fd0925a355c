"""Property-based: any sequence of earn, redeem, cancel, complete, expire and replayed events
keeps every balance equal to the sum of its entries and never below zero."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from rewards.models import Account, Entry
from rewards.selectors import balance_from_entries
from rewards.services import (
    booking_confirmed_apply,
    booking_ended_apply,
    points_expire,
    points_hold,
    stay_completed_apply,
)
from tests.factories import UserFactory


class LedgerMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")

    def __init__(self):
        super().__init__()
        self.clock = datetime(2025, 1, 1, tzinfo=UTC)
        self.user = UserFactory()
        self.n = 0

    def at(self):
        return time_machine.travel(self.clock, tick=False)

    def new_ref(self):
        self.n += 1
        return f"P{self.user.pk}-{self.n}"

    @initialize()
    def opening_stay(self):
        with self.at():
            ref = self.new_ref()
            booking_confirmed_apply(user_id=self.user.pk, reference=ref, total="500.00")
            stay_completed_apply(user_id=self.user.pk, reference=ref, total="500.00")

    @rule(target=bookings, total=st.decimals(min_value=0, max_value=5000, places=2))
    def earn(self, total):
        with self.at():
            ref = self.new_ref()
            booking_confirmed_apply(user_id=self.user.pk, reference=ref, total=total)
        return ref

    @rule(target=bookings, points=st.integers(min_value=1, max_value=2000),
          total=st.decimals(min_value=1, max_value=100, places=2))
    def redeem(self, points, total):
        ref = self.new_ref()
        with self.at():
            try:
                points_hold(user=self.user, booking_reference=ref, amount=points, fiat_total=total, currency="USD")
            except ValidationError:
                pass  # above the balance or the cap: refused, nothing written
        return ref

    @rule(ref=bookings, total=st.decimals(min_value=0, max_value=500, places=2))
    def confirm(self, ref, total):
        with self.at():
            booking_confirmed_apply(user_id=self.user.pk, reference=ref, total=total)

    @rule(ref=bookings)
    def complete(self, ref):
        with self.at():
            stay_completed_apply(user_id=self.user.pk, reference=ref, total="100.00")

    @rule(ref=bookings, reason=st.sampled_from(["cancelled", "expired", "failed"]))
    def end(self, ref, reason):
        with self.at():
            booking_ended_apply(user_id=self.user.pk, reference=ref, reason=reason)

    @rule(days=st.integers(min_value=1, max_value=400))
    def time_passes_and_points_expire(self, days):
        self.clock += timedelta(days=days)
        with self.at():
            points_expire(user_id=self.user.pk)

    @invariant()
    def balance_is_the_sum_of_entries_and_never_negative(self):
        account = Account.objects.get(user=self.user)
        derived = balance_from_entries(account=account)
        assert (account.available, account.pending, account.held) == (
            derived.available, derived.pending, derived.held)
        assert min(derived.available, derived.pending, derived.held) >= 0

    @invariant()
    def points_are_never_created_from_nothing(self):
        account = Account.objects.get(user=self.user)
        entries = Entry.objects.filter(account=account)
        earned = entries.filter(kind=Entry.Kind.EARN).aggregate(s=Sum("pending_delta"))["s"] or 0
        spent = -(entries.filter(kind=Entry.Kind.REDEEM).aggregate(s=Sum("held_delta"))["s"] or 0)
        returned_after_spending = sum(
            e.available_delta for e in entries.filter(kind=Entry.Kind.RELEASE) if e.held_delta == 0
        )
        assert returned_after_spending <= spent
        assert account.available + account.pending + account.held <= earned - spent + returned_after_spending


@pytest.mark.django_db
def test_any_sequence_keeps_the_ledger_consistent():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )


def test_points_value_of_a_decimal_total_is_never_fractional():
    from rewards.points import points_cap, points_for

    assert points_for(total=Decimal("99.99"), earn_percent=Decimal("3")) == 299
    assert points_cap(fiat_total=Decimal("0.01")) == 0
