"""Platform credit at checkout: shown with its maximum, locked with the price, spent in the
placement's transaction, given back when the booking ends unpaid. Real PostgreSQL and Redis."""
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Booking
from bookings.payments.models import CreditAccount, CreditEntry
from bookings.payments.selectors import credit_balance_of, credit_mismatches
from bookings.payments.services import credit_grant
from bookings.services.lifecycle import bookings_expire_unpaid
from bookings.services.placing import booking_place
from bookings.services.quoting import price_lock_stay
from inventory.stays import Stay
from tests.concurrency import run_concurrently
from tests.factories import UserFactory, guests_body, sellable_room_type

pytestmark = pytest.mark.django_db


def give_credit(user, amount: str, key: str = "test") -> None:
    credit_grant(user_id=user.pk, currency="USD", amount=Decimal(amount), kind=CreditEntry.Kind.ADJUST,
                 source_key=f"test:{key}:{user.pk}", note="test credit")


def _stay_body(room, **extra):
    check_in = timezone.localdate() + timedelta(days=10)
    return {"kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC", **extra}


def _lock(api, room, **extra):
    return api.post("/api/bookings/locks/", _stay_body(room, **extra), content_type="application/json")


def _place(api, lock_id, key="c1"):
    return api.post("/api/bookings/", {"lock_id": lock_id, "guests": guests_body()}, content_type="application/json",
                    headers={"Idempotency-Key": key})


def test_credit_lowers_the_amount_due_and_is_spent_in_the_placement(api, room, traveller):
    give_credit(traveller, "50.00")
    lock = _lock(api, room, credit="30.00").json()
    assert (lock["subtotal"], lock["discount"], lock["credit"], lock["total"]) == ("230.00", "30.00", "30.00", "200.00")
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("50.00")  # locking spends nothing

    placed = _place(api, lock["lock_id"])

    assert placed.status_code == 201 and placed.json()["total"] == "200.00"
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("20.00")
    spend = CreditEntry.objects.get(kind="spend")
    assert (spend.amount, spend.booking_reference) == (Decimal("-30.00"), placed.json()["reference"])
    assert credit_mismatches() == []


def test_the_lock_refuses_more_credit_than_the_balance_or_the_total_with_the_reason(api, room, traveller):
    give_credit(traveller, "40.00")
    refused = _lock(api, room, credit="45.00")
    assert refused.status_code == 400
    assert "you have 40.00 USD and at most 40.00 USD can be used" in refused.json()["detail"]

    give_credit(traveller, "500.00", key="more")
    over = _lock(api, room, credit="230.01")  # credit may pay all of the total, never more
    assert over.status_code == 400 and "at most 230.00 USD" in over.json()["detail"]
    assert _lock(api, room, credit="0.001").status_code == 400  # cents only
    assert not CreditEntry.objects.filter(kind="spend").exists()


def test_credit_spent_since_the_lock_refuses_the_placement_and_keeps_the_lock(api, room, traveller):
    give_credit(traveller, "50.00")
    lock = _lock(api, room, credit="30.00").json()
    with transaction.atomic():  # spent elsewhere meanwhile
        from bookings.payments.services import credit_spend
        credit_spend(user_id=traveller.pk, currency="USD", amount=Decimal("40.00"), booking_reference="LT-ELSEWHERE")

    refused = _place(api, lock["lock_id"])

    assert refused.status_code == 400 and "credit balance is 10.00 USD" in refused.json()["detail"]
    assert not Booking.objects.exists() and credit_balance_of(user=traveller, currency="USD") == Decimal("10.00")


def test_credit_comes_back_when_the_booking_expires_unpaid(api, room, traveller, eager_tasks, settings,
                                                           django_capture_on_commit_callbacks):
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    give_credit(traveller, "50.00")
    with django_capture_on_commit_callbacks(execute=True):
        placed = _place(api, _lock(api, room, credit="30.00").json()["lock_id"])
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("20.00")

    with django_capture_on_commit_callbacks(execute=True):
        assert bookings_expire_unpaid(now=timezone.now() + timedelta(hours=2)) == 1

    assert Booking.objects.get(reference=placed.json()["reference"]).status == "expired"
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("50.00")
    assert list(CreditEntry.objects.order_by("id").values_list("kind", "amount")) == [
        ("adjust", Decimal("50.00")), ("spend", Decimal("-30.00")), ("return", Decimal("30.00"))]


def test_checkout_shows_the_credit_and_the_most_this_stay_may_use(api, room, traveller):
    give_credit(traveller, "300.00")
    body = _stay_body(room)
    page = api.get("/book/", {k: body[k] for k in ("room_type", "rate_plan", "check_in", "check_out", "rooms",
                                                    "guests")})
    html = page.content.decode()
    assert "You have 300.00 USD of credit; up to <strong>230.00 USD</strong> can be used" in html


def test_credit_entries_are_append_only(traveller):
    give_credit(traveller, "5.00")
    entry = CreditEntry.objects.get()
    entry.amount = Decimal("500.00")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        CreditEntry.objects.all().delete()


# --- two placements spending the same credit at once -------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_placements_spending_the_same_credit_at_once_only_one_succeeds(rates_sandbox):
    from importlib import import_module

    from django.apps import apps

    import_module("bookings.payments.migrations.0002_seed_coins").seed(apps, None)
    room_type, plan, _ = sellable_room_type()
    user = UserFactory()
    give_credit(user, "50.00")
    night = timezone.localdate() + timedelta(days=5)
    locks = [price_lock_stay(user=user, room_type=room_type, rate_plan=plan, coin_code="BTC", credit=Decimal("30.00"),
                             stay=Stay(night + timedelta(days=2 * i), night + timedelta(days=2 * i + 1), rooms=1,
                                       guests=2))
             for i in range(2)]

    def place(i):
        return booking_place(user=user, lock_id=locks[i].id, idempotency_key=f"race-{i}").booking

    results = run_concurrently(2, place)

    placed = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(placed) == 1 and len(refused) == 1, results
    assert "credit balance is 20.00 USD" in refused[0].messages[0]
    assert CreditAccount.objects.get(user=user).balance == Decimal("20.00")
    assert credit_mismatches() == []


def naive_spend(*, account: CreditAccount, reference: str, amount: Decimal) -> bool:
    """What the ledger must not do: decide on a balance read without the account's row lock."""
    with transaction.atomic():
        balance = CreditEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        if balance < amount:
            return False
        time.sleep(0.05)  # the time a real placement spends between reading and writing
        CreditEntry.objects.create(account=account, kind=CreditEntry.Kind.SPEND, amount=-amount,
                                   source_key=f"naive:{reference}", booking_reference=reference)
        return True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_row_lock_the_same_credit_is_spent_twice():
    user = UserFactory()
    give_credit(user, "50.00")
    account = CreditAccount.objects.get(user=user)

    results = run_concurrently(2, lambda i: naive_spend(account=account, reference=f"LT-NAIVE-{i}",
                                                        amount=Decimal("30.00")))

    assert results == [True, True], "the race did not happen this time"
    spent = CreditEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    assert spent == Decimal("-10.00")  # overdrawn: the row lock in credit_spend is what prevents this
