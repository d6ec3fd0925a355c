"""50 travellers' sessions spend the same account at once on real PostgreSQL: never overdrawn.

Each thread has its own database connection and tries to reserve points for its own booking.
The negative control runs the obvious unlocked version (read the balance from the entries,
then write a hold) under the same race and shows that it overdraws.
"""
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from rewards.models import Account, Entry
from rewards.selectors import balance_from_entries, ledger_mismatches
from rewards.services import balance_adjust, points_hold
from tests.concurrency import run_concurrently
from tests.factories import StaffUserFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 50
START = 1000
EACH = 30  # 33 redemptions fit, 17 must be refused



def account_with_points(points: int):
    user = UserFactory()
    balance_adjust(user_id=user.pk, points=points, reason="opening balance", staff_user=StaffUserFactory())
    return user


def test_fifty_concurrent_redemptions_never_overdraw_the_account():
    user = account_with_points(START)

    def redeem(i):
        try:
            return points_hold(user=user, booking_reference=f"LT-RACE-{i:02d}", amount=EACH,
                               fiat_total=Decimal("100.00"), currency="USD")
        except ValidationError as exc:
            return exc

    results = run_concurrently(WRITERS, redeem)

    granted = [r for r in results if isinstance(r, Decimal)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    unexpected = [r for r in results if not isinstance(r, (Decimal, ValidationError))]
    assert not unexpected, unexpected
    assert len(granted) == START // EACH == 33
    assert len(refused) == WRITERS - 33
    assert all("points available" in " ".join(e.messages) for e in refused)

    account = Account.objects.get(user=user)
    assert account.available == START - 33 * EACH == 10
    assert account.held == 33 * EACH
    derived = balance_from_entries(account=account)
    assert (derived.available, derived.held) == (account.available, account.held)
    assert ledger_mismatches() == []


def naive_redeem(*, account: Account, reference: str, points: int) -> bool:
    """What the ledger must not do: decide on a balance read without a lock."""
    with transaction.atomic():
        available = Entry.objects.filter(account=account).aggregate(s=Sum("available_delta"))["s"] or 0
        if available < points:
            return False
        time.sleep(0.05)  # the time a real request spends between reading and writing
        Entry.objects.create(account=account, kind=Entry.Kind.HOLD, source_key=f"naive:{reference}",
                             available_delta=-points, held_delta=points, booking_reference=reference,
                             created_at=timezone.now())
        return True


def test_negative_control_the_unlocked_version_overdraws():
    user = account_with_points(START)
    account = Account.objects.get(user=user)

    results = run_concurrently(
        WRITERS, lambda i: naive_redeem(account=account, reference=f"LT-NAIVE-{i:02d}", points=EACH))

    assert all(isinstance(r, bool) for r in results), results
    derived = balance_from_entries(account=account)
    assert sum(results) > START // EACH, "the race did not happen this time"
    assert derived.available < 0  # overdrawn: the lock in points_hold is what prevents this


def test_the_same_event_delivered_to_ten_workers_at_once_credits_once():
    from rewards.services import booking_confirmed_apply, stay_completed_apply

    user = UserFactory()  # no account yet: the first deliveries also race to create it

    def deliver(i):
        if i % 2:
            return stay_completed_apply(user_id=user.pk, reference="LT-DUP", total="500.00", currency="USD")
        return booking_confirmed_apply(user_id=user.pk, reference="LT-DUP", total="500.00", currency="USD")

    results = run_concurrently(10, deliver)

    assert not [r for r in results if isinstance(r, Exception)], results
    account = Account.objects.get(user=user)
    assert (account.available, account.pending, account.held) == (500, 0, 0)
    assert sorted(Entry.objects.filter(account=account).values_list("kind", flat=True)) == ["earn", "vest"]
    assert ledger_mismatches() == []
