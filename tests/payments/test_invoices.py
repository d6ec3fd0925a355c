"""Invoice paths over real HTTP against the sandbox processor: what the traveller pays on chain
and what the platform then knows (invoice state, ledger, the payment.* events it publishes)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.payments.errors import AmountInvalid, CoinUnavailable, PaymentError, ProcessorUnavailable
from bookings.payments.models import ChainPayment, Invoice
from bookings.payments.services import invoice_open, invoice_submit, invoice_sync, invoices_sweep
from bookings.payments.tasks import submit_invoice, sync_invoice
from core.models import OutboxMessage
from tests.payments.conftest import topics

pytestmark = pytest.mark.django_db


def test_exact_payment_is_processing_when_seen_and_settled_at_the_coins_confirmations(chain, open_invoice):
    # given: 128 USD in BTC at 64000 USD/BTC, BTC needs 2 confirmations
    invoice = open_invoice(coin="BTC", fiat="128.00")
    assert invoice.amount_due == Decimal("0.002") and invoice.address.startswith("bcrt1q")
    assert invoice.payment_link == f"bitcoin:{invoice.address}?amount=0.00200000"

    # when: paid in full, seen in the mempool
    chain.pay(invoice, "0.00200000")
    invoice = invoice_sync(invoice=invoice)
    assert (invoice.status, invoice.exception) == ("processing", "")

    chain.mine(1)
    invoice = invoice_sync(invoice=invoice)
    assert invoice.status == "processing"  # one confirmation of two

    chain.mine(1)
    invoice = invoice_sync(invoice=invoice)

    # then
    assert (invoice.status, invoice.amount_paid, invoice.amount_confirmed) == ("settled", Decimal("0.002"),
                                                                                 Decimal("0.002"))
    assert invoice.settled_at is not None
    assert topics(invoice.reference) == ["payment.processing", "payment.settled"]
    invoice_sync(invoice=invoice)  # nothing new: nothing published again
    assert topics(invoice.reference) == ["payment.processing", "payment.settled"]


def test_confirmations_required_follow_each_coins_policy(chain, open_invoice):
    btc = open_invoice(coin="BTC")  # 2 confirmations
    ltc = open_invoice(coin="LTC")  # 6 confirmations
    eth = open_invoice(coin="ETH")  # 12 confirmations
    for invoice in (btc, ltc, eth):
        chain.pay(invoice, invoice.amount_due)

    chain.mine(2)
    states = {i.coin.code: invoice_sync(invoice=i).status for i in (btc, ltc, eth)}
    assert states == {"BTC": "settled", "LTC": "processing", "ETH": "processing"}

    chain.mine(4)
    states = {i.coin.code: invoice_sync(invoice=i).status for i in (btc, ltc, eth)}
    assert states == {"BTC": "settled", "LTC": "settled", "ETH": "processing"}

    chain.mine(6)
    assert invoice_sync(invoice=eth).status == "settled"
    assert ChainPayment.objects.get(invoice=eth).confirmations == 12


def test_partial_payment_can_be_topped_up_before_expiry(chain, open_invoice):
    invoice = open_invoice(coin="BTC", fiat="128.00")

    chain.pay(invoice, "0.0015")
    invoice = invoice_sync(invoice=invoice)
    assert (invoice.status, invoice.exception, invoice.amount_outstanding) == ("new", "paid_partial",
                                                                               Decimal("0.0005"))

    chain.pay(invoice, "0.0005")
    assert invoice_sync(invoice=invoice).status == "processing"
    chain.mine(2)
    invoice = invoice_sync(invoice=invoice)

    assert (invoice.status, invoice.exception, invoice.amount_paid) == ("settled", "", Decimal("0.002"))
    assert invoice.payments.count() == 2
    assert topics(invoice.reference) == ["payment.partial", "payment.processing", "payment.settled"]


def test_partial_payment_then_expiry_expires_the_invoice_with_the_partial_recorded(chain, open_invoice):
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, "0.001")
    invoice_sync(invoice=invoice)

    chain.expire(invoice)
    invoice = invoice_sync(invoice=invoice)

    assert (invoice.status, invoice.exception, invoice.amount_paid) == ("expired", "paid_partial", Decimal("0.001"))
    assert topics(invoice.reference) == ["payment.partial", "payment.expired"]


def test_overpayment_settles_and_records_the_excess(chain, open_invoice):
    invoice = open_invoice(coin="ETH", fiat="320.00")  # 0.1 ETH
    chain.pay(invoice, "0.125")
    chain.mine(12)

    invoice = invoice_sync(invoice=invoice)

    assert (invoice.status, invoice.exception) == ("settled", "paid_over")
    assert invoice.excess_amount == Decimal("0.025")
    # seen and confirmed between two looks: one change, new -> settled
    assert topics(invoice.reference) == ["payment.settled", "payment.overpaid"]


def test_payment_after_expiry_is_late_and_announced_for_staff_review(chain, open_invoice):
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.expire(invoice)
    invoice = invoice_sync(invoice=invoice)
    assert invoice.status == "expired"

    chain.pay(invoice, "0.002")
    chain.mine(3)
    invoice = invoice_sync(invoice=invoice)

    assert (invoice.status, invoice.exception) == ("expired", "paid_late")
    assert (invoice.amount_paid, invoice.amount_late) == (Decimal(0), Decimal("0.002"))
    assert topics(invoice.reference) == ["payment.expired", "payment.late"]


def test_the_same_transaction_reported_again_is_one_ledger_entry(chain, open_invoice):
    invoice = open_invoice(coin="BTC")
    chain.pay(invoice, "0.001", txid="ab" * 32)
    for _ in range(3):
        invoice = invoice_sync(invoice=invoice)

    assert invoice.payments.count() == 1
    assert invoice.amount_paid == Decimal("0.001")


def test_submit_is_idempotent_and_adopts_an_invoice_the_processor_already_has(chain, open_invoice):
    invoice = open_invoice(coin="BTC", submit=False)
    first = invoice_submit(invoice=invoice)
    again = invoice_submit(invoice=invoice)
    assert first.processor_id == again.processor_id
    assert chain.invoice_count() == 1

    # the processor created it but our answer was lost: the next submit finds it by order id
    Invoice.objects.filter(pk=invoice.pk).update(processor_id="", address="")
    adopted = invoice_submit(invoice=invoice)
    assert adopted.processor_id == first.processor_id
    assert chain.invoice_count() == 1


def test_processor_down_then_submit_is_retried_until_it_answers(chain, open_invoice, settings):
    invoice = open_invoice(coin="BTC", submit=False)
    chain.configure(down=True)
    with pytest.raises(ProcessorUnavailable):
        invoice_submit(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.processor_id == "" and "503" in invoice.last_error

    # the task retries (run in-process here; a worker retries with backoff): two more failures, then up
    chain.configure(down=False, fail_next=2)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    submit_invoice.apply(kwargs={"invoice_id": invoice.pk})

    invoice.refresh_from_db()
    assert invoice.processor_id and invoice.address
    assert invoice.submit_attempts == 4  # the first failure above, two failed retries, one success
    assert chain.invoice_count() == 1


def test_lost_webhooks_are_covered_by_polling(chain, open_invoice, settings):
    invoice = open_invoice(coin="BTC")
    chain.configure(extra={"webhooks_off": True})
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    assert all(d["error"].startswith("dropped") for d in chain.deliveries() if d["type"] != "InvoiceCreated")

    settings.CELERY_TASK_ALWAYS_EAGER = True
    sync_invoice.apply(kwargs={"invoice_id": invoice.pk})

    invoice.refresh_from_db()
    assert invoice.status == "settled"


def test_sweep_expires_an_unpaid_invoice_past_its_time(chain, open_invoice, settings,
                                                       django_capture_on_commit_callbacks):
    invoice = open_invoice(coin="BTC")
    Invoice.objects.filter(pk=invoice.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    settings.CELERY_TASK_ALWAYS_EAGER = True

    with django_capture_on_commit_callbacks(execute=True):
        counts = invoices_sweep()

    invoice.refresh_from_db()
    assert counts["synced"] == 1
    assert invoice.status == "expired"
    assert topics(invoice.reference) == ["payment.expired"]


def test_sweep_expires_locally_when_the_processor_stays_down_past_the_grace(chain, open_invoice):
    invoice = open_invoice(coin="BTC")
    chain.configure(down=True)
    Invoice.objects.filter(pk=invoice.pk).update(expires_at=timezone.now() - timedelta(seconds=30))
    invoice.refresh_from_db()
    with pytest.raises(ProcessorUnavailable):  # within the grace: wait for the processor
        invoice_sync(invoice=invoice)

    Invoice.objects.filter(pk=invoice.pk).update(expires_at=timezone.now() - timedelta(minutes=6))
    invoice.refresh_from_db()
    assert invoice_sync(invoice=invoice).status == "expired"


def test_open_refuses_bad_terms_with_a_clear_message(rates):
    good = dict(reference="LT-BAD", fiat_amount="10", fiat_currency="USD", coin_code="BTC",
                crypto_amount="0.001", rate="10000")
    with pytest.raises(CoinUnavailable, match="not accepted"):
        invoice_open(**(good | {"coin_code": "NOPE"}))
    with pytest.raises(AmountInvalid, match="more than 8 decimals"):
        invoice_open(**(good | {"crypto_amount": "0.000100001"}))
    with pytest.raises(AmountInvalid, match="below the minimum"):
        invoice_open(**(good | {"crypto_amount": "0.00001"}))
    with pytest.raises(AmountInvalid, match="positive"):
        invoice_open(**(good | {"rate": "-1"}))
    assert not Invoice.objects.exists()

    first = invoice_open(**good)
    assert invoice_open(**good) == first  # same terms: the same invoice
    with pytest.raises(PaymentError, match="already has a different invoice"):
        invoice_open(**(good | {"crypto_amount": "0.002"}))


def test_paying_a_settled_invoice_again_is_recorded_as_excess(chain, open_invoice):
    invoice = open_invoice(coin="BTC", fiat="128.00")
    chain.pay(invoice, "0.002")
    chain.mine(2)
    assert invoice_sync(invoice=invoice).status == "settled"

    chain.pay(invoice, "0.0005")  # the wallet sent it twice, in part
    invoice = invoice_sync(invoice=invoice)

    assert (invoice.status, invoice.exception, invoice.excess_amount) == ("settled", "paid_over", Decimal("0.0005"))
    assert topics(invoice.reference) == ["payment.settled", "payment.overpaid"]


def test_a_submit_already_in_progress_elsewhere_is_not_duplicated(chain, open_invoice):
    from django.core.cache import cache

    invoice = open_invoice(coin="BTC", submit=False)
    cache.add(f"payments:submitting:{invoice.pk}", 1, 30)  # another worker holds it

    assert invoice_submit(invoice=invoice).processor_id == ""
    assert chain.invoice_count() == 0

    cache.delete(f"payments:submitting:{invoice.pk}")
    assert invoice_submit(invoice=invoice).processor_id


def test_the_processors_clock_running_past_expiry_expires_the_invoice(chain, open_invoice):
    invoice = open_invoice(coin="BTC")
    chain._post(f"/_sandbox/invoices/{invoice.processor_id}/advance", seconds=14 * 60)
    assert invoice_sync(invoice=invoice).status == "new"

    chain._post(f"/_sandbox/invoices/{invoice.processor_id}/advance", seconds=61)
    invoice = invoice_sync(invoice=invoice)

    assert invoice.status == "expired"
    assert topics(invoice.reference) == ["payment.expired"]


def test_a_payment_that_does_not_confirm_within_the_monitoring_window_is_invalid(chain, open_invoice):
    invoice = open_invoice(coin="BTC")
    chain.pay(invoice, invoice.amount_due)
    assert invoice_sync(invoice=invoice).status == "processing"

    chain._post(f"/_sandbox/invoices/{invoice.processor_id}/advance", seconds=(15 + 60) * 60 + 1)
    invoice = invoice_sync(invoice=invoice)

    assert invoice.status == "invalid"
    assert topics(invoice.reference) == ["payment.processing", "payment.invalid"]


def test_sweep_submits_an_invoice_whose_after_commit_submit_was_lost(chain, open_invoice, settings,
                                                                     django_capture_on_commit_callbacks):
    invoice = open_invoice(coin="BTC", submit=False)  # opened; its submit task never ran
    Invoice.objects.filter(pk=invoice.pk).update(created_at=timezone.now() - timedelta(seconds=31))
    queued = OutboxMessage.objects.filter(topic="task:payments.submit_invoice", key=str(invoice.pk))
    assert invoices_sweep() == {"submitted": 0, "synced": 0}  # still waiting in the outbox: not twice
    queued.update(published_at=timezone.now())  # handed to the broker, then lost (or gave up)
    settings.CELERY_TASK_ALWAYS_EAGER = True

    with django_capture_on_commit_callbacks(execute=True):
        counts = invoices_sweep()

    invoice.refresh_from_db()
    assert counts == {"submitted": 1, "synced": 0}
    assert invoice.processor_id and invoice.address
    assert chain.invoice_count() == 1
