"""Refunds: recorded against the invoice of a reference; crypto refunds go to the processor after
commit (task ``payments.submit_refund``) and come back as a claim link (services/claims.py follows
the claim), platform credit is done at once: it goes into the traveller's credit ledger
(services/credit.py) in the refund's own transaction."""
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from bookings.payments.adapters import processor
from bookings.payments.errors import AmountInvalid, InvoiceNotFound, RefundRefused
from bookings.payments.models import CreditEntry, Invoice, Refund
from bookings.payments.services.credit import credit_grant
from bookings.payments.services.invoices import _decimal, payment_payload
from core.outbox import enqueue_after_commit, outbox_publish, queued_keys

CENT = Decimal("0.01")


def refund_create(*, reference: str, fiat_amount, method: str, reason: str, user_id: int | None = None,
                  credit_kind: str = CreditEntry.Kind.REFUND) -> Refund:
    """Give back ``fiat_amount`` (at the invoice's locked rate) of what was paid for ``reference``.
    Credit goes to the balance of ``user_id`` (the booking's traveller), which it then requires."""
    if method not in Refund.Method.values:
        raise RefundRefused(f"Refund method must be one of {', '.join(Refund.Method.values)}.")
    if method == Refund.Method.CREDIT and not user_id:
        raise RefundRefused("A refund as credit needs the traveller's account.")
    reason = str(reason or "").strip()
    if not reason:
        raise RefundRefused("A refund needs a reason.")
    fiat = _decimal(fiat_amount, "The refund amount")
    if fiat != fiat.quantize(CENT):
        raise AmountInvalid("A refund amount has at most two decimals.")
    with transaction.atomic():
        invoice = (Invoice.objects.select_for_update(of=("self",)).select_related("coin")
                   .filter(reference=reference).first())
        if invoice is None:
            raise InvoiceNotFound(f"No payment for {reference}.")
        received = invoice.amount_paid + invoice.amount_late
        if received <= 0:
            raise RefundRefused(f"Nothing was paid for {reference}; there is nothing to refund.")
        refundable = (received * invoice.rate).quantize(CENT, rounding=ROUND_DOWN)
        refunds = invoice.refunds.exclude(status=Refund.Status.FAILED)
        already = refunds.aggregate(s=Sum("fiat_amount"))["s"] or 0
        if already + fiat > refundable:
            left = max(refundable - already, Decimal(0))
            raise RefundRefused(f"At most {left} {invoice.fiat_currency} can still be refunded for {reference}.")
        crypto = (fiat / invoice.rate).quantize(invoice.coin.quantum, rounding=ROUND_DOWN)
        credit = method == Refund.Method.CREDIT
        refund = Refund.objects.create(
            reference=reference, invoice=invoice, method=method, fiat_amount=fiat, crypto_amount=crypto,
            reason=reason[:200], status=Refund.Status.CREDITED if credit else Refund.Status.PENDING,
            completed_at=timezone.now() if credit else None,
        )
        if credit:
            credit_grant(user_id=user_id, currency=invoice.fiat_currency, amount=fiat,
                         kind=credit_kind, source_key=f"refund:{refund.pk}",
                         booking_reference=reference, note=reason)
            _publish_refunded(refund)
        else:
            _enqueue_refund(refund_id=refund.pk)
    return refund


EXCESS_REASON = Refund.EXCESS_REASON


def excess_return(*, reference: str, method: str, user_id: int) -> Refund:
    """Give back what was paid over the amount due, at the traveller's choice: to their wallet
    (``crypto``, through the processor) or as platform credit. Once per invoice; refused while
    nothing is over, or when it is worth less than a cent."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).filter(reference=reference).first()
        if invoice is None:
            raise InvoiceNotFound(f"No payment for {reference}.")
        if invoice.excess_amount <= 0:
            raise RefundRefused(f"Nothing was paid over the amount due for {reference}.")
        if invoice.refunds.filter(reason=EXCESS_REASON).exclude(status=Refund.Status.FAILED).exists():
            raise RefundRefused(f"The overpayment for {reference} was already returned.")
        fiat = (invoice.excess_amount * invoice.rate).quantize(CENT, rounding=ROUND_DOWN)
        if fiat <= 0:
            raise RefundRefused("The overpayment is worth less than a cent; it cannot be returned.")
        return refund_create(reference=reference, fiat_amount=fiat, method=method, reason=EXCESS_REASON,
                             user_id=user_id, credit_kind=CreditEntry.Kind.EXCESS)


SUBMIT_REFUND = "payments.submit_refund"


def _enqueue_refund(*, refund_id: int) -> None:
    enqueue_after_commit(task=SUBMIT_REFUND, kwargs={"refund_id": refund_id}, key=str(refund_id))


# How long a handed-over submit may still be retrying (8 tries, backoff capped at 5 minutes).
REFUND_IN_PROGRESS = timedelta(minutes=30)


def refunds_requeue_stuck(*, older_than: timedelta = timedelta(minutes=2),
                          in_progress: timedelta = REFUND_IN_PROGRESS, limit: int = 200) -> int:
    """Periodic: queue again crypto refunds still pending with nothing queued or in progress for
    them (their task gave up or was lost). ``refund_submit`` is idempotent. Returns how many."""
    now = timezone.now()
    pending = [str(pk) for pk in Refund.objects.filter(status=Refund.Status.PENDING, created_at__lte=now - older_than)
               .order_by("pk").values_list("pk", flat=True)[:limit]]
    stuck = set(pending) - queued_keys(task=SUBMIT_REFUND, keys=pending, handed_over_since=now - in_progress)
    for pk in sorted(stuck, key=int):
        _enqueue_refund(refund_id=int(pk))
    return len(stuck)


def _publish_refunded(refund: Refund) -> None:
    outbox_publish(topic="payment.refunded", key=refund.reference, payload=payment_payload(
        refund.invoice, refund_id=str(refund.pk), method=refund.method,
        refund_fiat_amount=str(refund.fiat_amount),
        refund_crypto_amount=f"{refund.crypto_amount.quantize(refund.invoice.coin.quantum):f}",
    ))


def refund_submit(*, refund: Refund) -> Refund:
    """Send a pending crypto refund to the processor (idempotent: named after our refund id). Its
    answer is a pull payment whose claim link is kept for the traveller; ``payment.refunded`` (and
    so the "refunded" email) goes out with the link in place. Raises ProcessorUnavailable for the
    task to retry, ProcessorRejected when the answer has no claim link."""
    refund.refresh_from_db()
    if refund.status != Refund.Status.PENDING:
        return refund
    invoice = refund.invoice
    pull_payment = processor.refund_send(
        invoice_id=invoice.processor_id, name=f"refund-{refund.pk}",
        amount=refund.crypto_amount.quantize(invoice.coin.quantum),
        currency=invoice.coin.code, description=refund.reason,
    )
    with transaction.atomic():
        row = Refund.objects.select_for_update(of=("self",)).select_related("invoice__coin").get(pk=refund.pk)
        if row.status == Refund.Status.PENDING:
            row.status, row.processor_refund_id = Refund.Status.SENT, pull_payment.id
            row.claim_link, row.claim_state = pull_payment.view_link, Refund.ClaimState.UNCLAIMED
            row.completed_at = timezone.now()
            row.save(update_fields=["status", "processor_refund_id", "claim_link", "claim_state", "completed_at"])
            _publish_refunded(row)
    return row
