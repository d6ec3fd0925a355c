"""Invoices: open (a record inside the booking's transaction), submit to the processor after
commit, reconcile with what the processor reports, and sweep what webhooks missed.

States: new -> processing -> settled, or expired / invalid; exceptions paid_partial, paid_over,
paid_late. Totals come from the ledger (ChainPayment, one row per tx id); confirmations required
are the coin's. Every change of (status, exception) publishes its ``payment.*`` topic exactly once,
in the transaction that makes the change, under a row lock on the invoice.
"""
import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bookings.payments.adapters import processor
from bookings.payments.errors import AmountInvalid, PaymentError, ProcessorNotFound, ProcessorUnavailable
from bookings.payments.models import ChainPayment, Invoice
from bookings.payments.selectors import coin_amount, coin_for_checkout
from core import metrics
from core.inserts import insert_row
from core.outbox import enqueue_after_commit, outbox_publish, queued_keys

logger = logging.getLogger(__name__)

Status, Exc = Invoice.Status, Invoice.Exception_
# An unpaid invoice the processor cannot tell us about is expired locally after this grace.
LOCAL_EXPIRY_GRACE = timedelta(minutes=5)


def _decimal(value, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise AmountInvalid(f"{what} {value!r} is not a number.") from exc
    if not number.is_finite() or number <= 0:
        raise AmountInvalid(f"{what} must be positive.")
    return number


def invoice_open(*, reference: str, fiat_amount, fiat_currency: str, coin_code: str, crypto_amount, rate,
                 expires_in: timedelta = timedelta(minutes=15), reference_is_new: bool = False) -> Invoice:
    """Record the invoice for a booking, inside the caller's transaction; no network.

    After commit the invoice is submitted to the processor (task ``payments.submit_invoice``).
    Opening the same reference again with the same terms returns the same invoice; a caller
    that has just made the reference (``reference_is_new``: placing) skips that look-up, and the
    reference's unique constraint still refuses a second invoice.
    """
    reference = str(reference or "").strip()
    if not reference or len(reference) > 40:
        raise PaymentError("A payment needs a reference of 1 to 40 characters.")
    coin = coin_for_checkout(coin_code=coin_code)
    fiat = _decimal(fiat_amount, "The fiat amount")
    amount = _decimal(crypto_amount, "The crypto amount")
    rate = _decimal(rate, "The rate")
    if amount != amount.quantize(coin.quantum):
        raise AmountInvalid(f"{amount} has more than {coin.decimals} decimals, the most {coin.code} allows.")
    if amount < coin.minimum_amount:
        minimum = coin.minimum_amount.normalize()
        raise AmountInvalid(f"{amount} {coin.symbol} is below the minimum of {minimum:f}.")
    if expires_in <= timedelta(0):
        raise PaymentError("An invoice must expire in the future.")
    existing = None if reference_is_new else Invoice.objects.filter(reference=reference).first()
    if existing is not None:
        if (existing.coin_id, existing.amount_due, existing.fiat_amount) == (coin.pk, amount, fiat):
            return existing
        raise PaymentError(f"{reference} already has a different invoice.")
    now = timezone.now()
    invoice = insert_row(Invoice(  # one prepared INSERT: every placement opens one (core/inserts.py)
        reference=reference, coin=coin, fiat_amount=fiat, fiat_currency=fiat_currency.upper(), rate=rate,
        amount_due=amount, expires_at=now + expires_in,
        monitoring_until=now + expires_in + timedelta(minutes=settings.PAYMENT_MONITORING_MINUTES),
    ))
    invoice_enqueue(task=SUBMIT, invoice_id=invoice.pk)
    return invoice


SUBMIT, SYNC = "payments.submit_invoice", "payments.sync_invoice"


def invoice_enqueue(*, task: str, invoice_id: int) -> None:
    """Queue ``payments.submit_invoice`` or ``payments.sync_invoice`` for an invoice through the
    outbox (sent after the current transaction commits; at least once)."""
    enqueue_after_commit(task=task, kwargs={"invoice_id": invoice_id}, key=str(invoice_id))


def invoice_poll(*, invoice: Invoice, every_seconds: int) -> bool:
    """The payment page's status poll: queue a sync of an open invoice at most once every
    ``every_seconds`` (webhooks may be lost). Never raises for a broker outage (the outbox keeps
    it). Returns whether a sync was queued."""
    if not invoice.is_open or not cache.add(f"payments:poll:{invoice.pk}", 1, every_seconds):
        return False
    invoice_enqueue(task=SYNC, invoice_id=invoice.pk)
    return True


def _payment_link(invoice: Invoice, address: str) -> str:
    scheme = invoice.coin.uri_scheme
    amount = coin_amount(invoice.amount_due, invoice.coin)
    return f"{scheme}:{address}?amount={amount}" if scheme and address else address


def invoice_submit(*, invoice: Invoice) -> Invoice:
    """Create the invoice at the processor (once) and keep its address. Idempotent: an invoice
    already created there (found by its order id = our reference) is adopted, not duplicated.
    Raises ProcessorUnavailable for the task to retry."""
    invoice.refresh_from_db()
    if invoice.processor_id or invoice.status != Status.NEW:
        return invoice
    seconds_left = (invoice.expires_at - timezone.now()).total_seconds()
    if seconds_left <= 0:
        return invoice  # never shown to the processor; the sweep expires it
    lock = f"payments:submitting:{invoice.pk}"
    if not cache.add(lock, 1, timeout=int(settings.OUTSIDE_HTTP_TIMEOUT * 4) + 1):
        return invoice  # another worker is submitting it right now (the sweep retries if it fails)
    try:
        return _submit(invoice, seconds_left)
    finally:
        cache.delete(lock)


def _submit(invoice: Invoice, seconds_left: float) -> Invoice:
    Invoice.objects.filter(pk=invoice.pk).update(submit_attempts=F("submit_attempts") + 1)
    try:
        remote = processor.invoice_find(order_id=invoice.reference) or processor.invoice_create(
            order_id=invoice.reference, amount=invoice.amount_due.quantize(invoice.coin.quantum),
            currency=invoice.coin.code,
            expiration_minutes=round(seconds_left / 60, 3),
            monitoring_minutes=settings.PAYMENT_MONITORING_MINUTES,
            confirmations=invoice.coin.confirmations_required,
        )
        remote = processor.invoice_get(invoice_id=remote.id)
    except PaymentError as exc:
        Invoice.objects.filter(pk=invoice.pk).update(last_error=exc.message[:2000])
        raise
    with transaction.atomic():
        row = Invoice.objects.select_for_update(of=("self",)).select_related("coin").get(pk=invoice.pk)
        if not row.processor_id:
            row.processor_id = remote.id
            row.address = remote.address
            row.payment_link = _payment_link(row, remote.address)
            row.submitted_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["processor_id", "address", "payment_link", "submitted_at", "last_error",
                                    "updated_at"])
    return row


def invoice_sync(*, invoice: Invoice) -> Invoice:
    """Bring the invoice up to date from the processor (GET invoice): the polling path, and what
    every webhook triggers. Unsubmitted invoices are submitted first."""
    if not invoice.processor_id:
        try:
            invoice = invoice_submit(invoice=invoice)
        except ProcessorUnavailable:
            if _overdue(invoice):
                return invoice_reconcile(invoice_id=invoice.pk, remote=None)
            raise
        if not invoice.processor_id:
            return invoice_reconcile(invoice_id=invoice.pk, remote=None)
    try:
        remote = processor.invoice_get(invoice_id=invoice.processor_id)
    except ProcessorNotFound:
        forgettable = invoice.status == Status.NEW and not invoice.amount_paid
        if not (settings.PAYMENT_SANDBOX_CONTROLS and forgettable):
            raise
        # The in-memory sandbox was restarted and forgot the invoice: show it a fresh one.
        Invoice.objects.filter(pk=invoice.pk).update(processor_id="", address="", payment_link="")
        invoice.processor_id = ""
        return invoice_sync(invoice=invoice)
    except ProcessorUnavailable:
        if _overdue(invoice):
            return invoice_reconcile(invoice_id=invoice.pk, remote=None)
        raise
    return invoice_reconcile(invoice_id=invoice.pk, remote=remote)


def _overdue(invoice: Invoice) -> bool:
    return invoice.status == Status.NEW and timezone.now() >= invoice.expires_at + LOCAL_EXPIRY_GRACE


def invoice_reconcile(*, invoice_id: int, remote: processor.RemoteInvoice | None) -> Invoice:
    """Record the processor's payments in the ledger and derive the invoice's state from it.

    ``remote=None`` applies our own clock only (expiry when the processor cannot be asked).
    """
    now = timezone.now()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("coin").get(pk=invoice_id)
        was_closed = invoice.status == Status.EXPIRED
        for payment in (remote.payments if remote else ()):
            _ledger_record(invoice, payment, late_anyway=was_closed)
        before, paid_before = (invoice.status, invoice.exception), invoice.amount_paid
        _derive(invoice, now=now, remote_status=remote.status if remote else "")
        invoice.synced_at = now if remote else invoice.synced_at
        invoice.save()
        more_paid = invoice.amount_paid > paid_before
        for topic in _topics(before, (invoice.status, invoice.exception), more_paid=more_paid):
            outbox_publish(topic=topic, key=invoice.reference, payload=payment_payload(invoice))
    return invoice


def _ledger_record(invoice: Invoice, payment: processor.RemotePayment, *, late_anyway: bool) -> None:
    entry = ChainPayment.objects.filter(invoice=invoice, txid=payment.txid).first()
    if entry is None:
        ChainPayment.objects.create(
            invoice=invoice, txid=payment.txid, amount=payment.amount, confirmations=payment.confirmations,
            received_at=payment.received_at,
            after_expiration=(payment.after_expiration or late_anyway
                              or payment.received_at >= invoice.expires_at),
        )
    elif payment.confirmations > entry.confirmations:  # confirmations only grow
        entry.confirmations = payment.confirmations
        entry.save(update_fields=["confirmations", "updated_at"])


def shortfall_tolerance(coin) -> Decimal:
    """How far under the amount due a payment in ``coin`` may fall and still count as paid
    (network-fee dust): ``PAYMENT_SHORTFALL_TOLERANCE`` per coin code, 0 for coins not named."""
    raw = (getattr(settings, "PAYMENT_SHORTFALL_TOLERANCE", None) or {}).get(coin.code, "0")
    try:
        tolerance = Decimal(str(raw))
    except InvalidOperation:
        logger.warning("PAYMENT_SHORTFALL_TOLERANCE for %s is not a number: %r; using 0", coin.code, raw)
        return Decimal(0)
    return tolerance.quantize(coin.quantum) if tolerance.is_finite() and tolerance > 0 else Decimal(0)


def _covers(amount: Decimal, *, due: Decimal, tolerance: Decimal) -> bool:
    """``amount`` pays ``due``: in full, or short by no more than the tolerance (and not nothing)."""
    return amount >= due or (amount > 0 and amount + tolerance >= due)


def _derive(invoice: Invoice, *, now, remote_status: str) -> None:
    payments = list(invoice.payments.all())
    required = invoice.coin.confirmations_required
    on_time = [p for p in payments if not p.after_expiration]
    paid = sum((p.amount for p in on_time), Decimal(0))
    late = sum((p.amount for p in payments if p.after_expiration), Decimal(0))
    confirmed = sum((p.amount for p in on_time if p.confirmations >= required), Decimal(0))
    due = invoice.amount_due
    tolerance = shortfall_tolerance(invoice.coin)
    invoice.amount_paid, invoice.amount_late, invoice.amount_confirmed = paid, late, confirmed
    invoice.excess_amount = max(paid - due, Decimal(0))

    status, exception = invoice.status, invoice.exception
    if status in (Status.NEW, Status.PROCESSING):
        if _covers(paid, due=due, tolerance=tolerance):
            exception = Exc.PAID_OVER if paid > due else Exc.NONE
            if _covers(confirmed, due=due, tolerance=tolerance):
                status = Status.SETTLED
            elif remote_status == "Invalid" or now >= invoice.monitoring_until:
                status = Status.INVALID
            else:
                status = Status.PROCESSING
        elif remote_status in ("Expired", "Invalid") or now >= invoice.expires_at:
            status = Status.EXPIRED if remote_status != "Invalid" else Status.INVALID
            exception = Exc.PAID_PARTIAL if paid > 0 else Exc.NONE
        else:
            exception = Exc.PAID_PARTIAL if paid > 0 else Exc.NONE
    if status == Status.EXPIRED and late > 0:
        exception = Exc.PAID_LATE
    if status == Status.SETTLED:
        # Anything beyond the amount due, however late, is excess to refund or credit.
        invoice.excess_amount = max(paid + late - due, Decimal(0))
        invoice.shortfall_accepted = max(due - paid - late, Decimal(0))  # within the tolerance: counted as paid
        exception = Exc.PAID_OVER if invoice.excess_amount > 0 else exception
    if status == Status.SETTLED and invoice.settled_at is None:
        invoice.settled_at = now
        transaction.on_commit(metrics.PAYMENTS_SETTLED.inc, robust=True)
    invoice.status, invoice.exception = status, exception


def _topics(before: tuple[str, str], after: tuple[str, str], *, more_paid: bool = False) -> list[str]:
    """The ``payment.*`` topics a change of (status, exception) publishes. ``payment.partial`` also
    goes out again when another part arrives that still does not cover the amount due (the
    traveller is told the new amount still due); the same payment seen twice changes nothing."""
    (s0, e0), (s1, e1) = before, after
    topics = []
    if s1 == Status.NEW and e1 == Exc.PAID_PARTIAL and (e0 != Exc.PAID_PARTIAL or more_paid):
        topics.append("payment.partial")
    if s1 == Status.PROCESSING and s0 != Status.PROCESSING:
        topics.append("payment.processing")
    if s1 == Status.SETTLED and s0 != Status.SETTLED:
        topics.append("payment.settled")
    if s1 == Status.SETTLED and e1 == Exc.PAID_OVER and (s0 != Status.SETTLED or e0 != Exc.PAID_OVER):
        topics.append("payment.overpaid")  # at settlement, or when more arrives after it
    if s1 == Status.EXPIRED and s0 != Status.EXPIRED:
        topics.append("payment.expired")
    if e1 == Exc.PAID_LATE and e0 != Exc.PAID_LATE:
        topics.append("payment.late")
    if s1 == Status.INVALID and s0 != Status.INVALID:
        topics.append("payment.invalid")
    return topics


def payment_payload(invoice: Invoice, **extra) -> dict:
    coin = invoice.coin
    return {
        "reference": invoice.reference, "invoice_id": str(invoice.pk),
        "processor_invoice_id": invoice.processor_id,
        "status": invoice.status, "exception": invoice.exception, "coin": coin.code,
        "amount_due": coin_amount(invoice.amount_due, coin),
        "amount_paid": coin_amount(invoice.amount_paid, coin),
        "amount_confirmed": coin_amount(invoice.amount_confirmed, coin),
        "amount_late": coin_amount(invoice.amount_late, coin),
        "excess": coin_amount(invoice.excess_amount, coin),
        "fiat_amount": str(invoice.fiat_amount), "fiat_currency": invoice.fiat_currency, **extra,
    }


def invoices_sweep(*, limit: int = 200) -> dict:
    """Periodic: submit invoices whose after-commit submit was lost, and sync (expire, invalidate,
    catch lost webhooks) open invoices that are overdue or not heard of for a minute."""
    now = timezone.now()
    open_ = Invoice.objects.filter(status__in=Invoice.OPEN)
    unsubmitted = list(open_.filter(processor_id="", created_at__lte=now - timedelta(seconds=30))
                       .values_list("pk", flat=True)[:limit])
    submitted, minute_ago = open_.exclude(processor_id=""), now - timedelta(seconds=60)
    stale = list(
        submitted.filter(synced_at__isnull=True, created_at__lte=minute_ago).values_list("pk", flat=True)[:limit]
    ) + list(submitted.filter(synced_at__lte=minute_ago).values_list("pk", flat=True)[:limit])
    overdue = list(open_.filter(expires_at__lte=now, status=Status.NEW).values_list("pk", flat=True)[:limit])
    to_sync = set(stale) | set(overdue)
    to_submit = set(unsubmitted) - to_sync
    # Nothing twice: an invoice whose task is still waiting in the outbox (broker down) is skipped.
    to_submit -= {int(k) for k in queued_keys(task=SUBMIT, keys=[str(pk) for pk in to_submit])}
    to_sync -= {int(k) for k in queued_keys(task=SYNC, keys=[str(pk) for pk in to_sync])}
    for pk in sorted(to_submit):
        invoice_enqueue(task=SUBMIT, invoice_id=pk)
    for pk in sorted(to_sync):
        invoice_enqueue(task=SYNC, invoice_id=pk)
    return {"submitted": len(to_submit), "synced": len(to_sync)}
