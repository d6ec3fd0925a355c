"""``manage.py money_check``: every coin and point accounted for. A clean world (the demo data plus
a booking paid with points, credit and crypto, overpaid, partly refunded as credit) passes; one
corrupted row (an invoice amount, a ledger entry, a cached balance) is caught and named."""
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from bookings.payments.models import CreditAccount, CreditEntry, Invoice
from bookings.payments.services import credit_grant, invoice_submit, invoice_sync, refund_create
from rewards.models import Account, Entry
from rewards.services import balance_adjust
from tests.bookings.test_credit import _lock, _place
from tests.factories import StaffUserFactory
from tests.payments.conftest import Chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(payments_sandbox):
    return Chain(payments_sandbox.url)


@pytest.fixture
def world(api, room, traveller, chain):
    """The demo data, and a booking: 3,000 points and 20.00 of credit off, paid in BTC with a
    little over, then 10.00 refunded as credit. Returns the booking's reference."""
    call_command("seed_demo", verbosity=0)
    balance_adjust(user_id=traveller.pk, points=5000, reason="test points", staff_user=StaffUserFactory())
    credit_grant(user_id=traveller.pk, currency="USD", amount=Decimal("50.00"), kind=CreditEntry.Kind.ADJUST,
                 source_key="test:world", note="test credit")
    lock = _lock(api, room, points=3000, credit="20.00").json()
    assert (lock["discount"], lock["total"]) == ("50.00", "180.00")
    reference = _place(api, lock["lock_id"]).json()["reference"]
    invoice = Invoice.objects.get(reference=reference)
    if not invoice.processor_id:
        invoice = invoice_submit(invoice=invoice)
    chain.pay(invoice, invoice.amount_due + Decimal("0.00001"))  # a little over
    chain.mine(3)
    assert invoice_sync(invoice=invoice).status == "settled"
    refund_create(reference=reference, fiat_amount="10.00", method="credit", reason="goodwill", user_id=traveller.pk)
    return reference


def money_check() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("money_check", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def money_check_fails() -> str:
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("money_check", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    return err.getvalue()


def test_a_clean_world_is_accounted_for(world):
    out, err = money_check()
    assert "Every coin and point is accounted for." in out and err == ""
    invoice = Invoice.objects.get(reference=world)
    assert invoice.excess_amount == Decimal("0.00001")  # the overpayment counted, and it still adds up


def test_a_corrupted_invoice_amount_is_caught_with_the_booking_reference(world):
    Invoice.objects.filter(reference=world).update(amount_paid=F("amount_paid") - Decimal("0.00000001"))

    err = money_check_fails()

    assert f"{world}: amount paid = sum of on-time chain payments" in err


def test_an_amount_due_that_does_not_match_the_price_in_coin_is_caught(world):
    Invoice.objects.filter(reference=world).update(amount_due=F("amount_due") + Decimal("0.00000001"))

    err = money_check_fails()

    assert f"{world}: amount due in BTC = total / rate, up to 8 decimals" in err


def test_an_amount_finer_than_its_coin_keeps_is_caught(world):
    Invoice.objects.filter(reference=world).update(excess_amount=F("excess_amount") + Decimal("1e-12"))

    assert f"{world}: invoice excess_amount in BTC's 8 decimals" in money_check_fails()


def test_a_credit_ledger_entry_out_of_step_with_the_balance_is_caught(world, traveller):
    account = CreditAccount.objects.get(user=traveller)
    CreditEntry.objects.create(account=account, kind=CreditEntry.Kind.ADJUST, amount=Decimal("5.00"),
                               source_key="forged", note="not through the service")

    err = money_check_fails()

    assert f"credit of user {traveller.pk} in USD: balance = sum of credit entries: expected 45.00, found 40.00" in err


def test_a_corrupted_credit_balance_is_caught(world, traveller):
    CreditAccount.objects.filter(user=traveller).update(balance=Decimal("1000.00"))

    assert f"credit of user {traveller.pk} in USD" in money_check_fails()


def test_a_corrupted_points_balance_is_caught(world, traveller):
    account = Account.objects.get(user=traveller)
    Account.objects.filter(pk=account.pk).update(available=F("available") + 1)

    assert f"rewards account {account.pk}: points balance = sum of ledger entries" in money_check_fails()


def test_a_points_ledger_entry_written_around_the_service_is_caught(world, traveller):
    account = Account.objects.get(user=traveller)
    Entry.objects.create(account=account, kind=Entry.Kind.ADJUST, source_key="forged", available_delta=100,
                         note="forged", created_at=timezone.now())

    assert f"rewards account {account.pk}" in money_check_fails()


def test_a_refund_beyond_what_was_received_is_caught(world):
    invoice = Invoice.objects.get(reference=world)
    Invoice.objects.filter(pk=invoice.pk).update(rate=invoice.rate / 100)  # received is now worth ~1.80

    err = money_check_fails()

    assert f"{world}: refunds + credits <= received (USD)" in err


def test_the_daily_task_runs_the_same_check(world, settings):
    from travel.tasks import money_check_task

    assert money_check_task.apply().get() == []
    Invoice.objects.filter(reference=world).update(amount_paid=F("amount_paid") - Decimal("0.00000001"))
    assert any(world in line for line in money_check_task.apply().get())
    assert settings.CELERY_BEAT_SCHEDULE["money-check"]["task"] == "travel.money_check"


def test_the_traveller_keeps_the_overpayment_as_credit_from_the_booking_page(world, api, traveller):
    from bookings.payments.selectors import credit_balance_of

    page = api.get(f"/bookings/{world}/").content.decode()
    assert "You paid 0.00001000 BTC over the amount due" in page and "Return what I paid over" in page

    answer = api.post(f"/bookings/{world}/excess/", {"method": "credit"})

    assert answer.status_code == 302
    assert credit_balance_of(user=traveller, currency="USD") == Decimal("40.00") + Decimal("0.64")  # 0.00001 × 64,000
    assert "it has been returned" in api.get(f"/bookings/{world}/").content.decode()
    assert api.post(f"/bookings/{world}/excess/", {"method": "crypto"}).status_code == 409  # once
    out, _ = money_check()
    assert "Every coin and point is accounted for." in out


def test_another_travellers_overpayment_cannot_be_claimed(world, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="someone-else"))
    assert client.post(f"/bookings/{world}/excess/", {"method": "credit"}).status_code == 404
