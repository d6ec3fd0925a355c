"""Following a crypto refund after it is sent: the processor holds it as a pull payment until the
traveller claims it (gives a wallet address on the claim link) and the payout is sent.

Polled, not pushed: ``payments.refresh_refund_claims`` (beat, every few minutes) asks the
processor about each sent refund not yet paid out, oldest check first. A claim takes the
traveller minutes to days, so a few minutes' delay costs nothing, and polling needs no second
webhook ledger next to the invoices' one and survives lost deliveries by construction.
"""
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bookings.payments.adapters import processor
from bookings.payments.adapters.processor import RemotePullPayment
from bookings.payments.errors import ProcessorRejected, ProcessorUnavailable
from bookings.payments.models import Refund

OPEN_CLAIMS = (Refund.ClaimState.UNCLAIMED, Refund.ClaimState.CLAIMED)


def claim_state_of(pull_payment: RemotePullPayment) -> tuple[str, str]:
    """(claim state, the payout's transaction once paid out) from the pull payment's payouts."""
    live = [p for p in pull_payment.payouts if p.state != "Cancelled"]
    if not live:
        return Refund.ClaimState.UNCLAIMED, ""
    completed = [p for p in live if p.state == "Completed"]
    if sum((p.amount for p in completed), Decimal(0)) >= pull_payment.amount:
        return Refund.ClaimState.PAID_OUT, ",".join(p.txid for p in completed if p.txid)
    return Refund.ClaimState.CLAIMED, ""


def refund_claim_refresh(*, refund: Refund) -> Refund:
    """Ask the processor how far the refund's claim got and record it (idempotent; a paid-out
    refund is never asked about again). Raises ProcessorUnavailable / ProcessorRejected."""
    if refund.claim_state not in OPEN_CLAIMS or not refund.processor_refund_id:
        return refund
    pull_payment = processor.pull_payment_get(pull_payment_id=refund.processor_refund_id)
    state, txid = claim_state_of(pull_payment)
    with transaction.atomic():
        row = Refund.objects.select_for_update().get(pk=refund.pk)
        if row.claim_state in OPEN_CLAIMS:
            row.claim_state, row.claim_checked_at, row.last_error = state, timezone.now(), ""
            if state == Refund.ClaimState.PAID_OUT:
                row.payout_txid, row.paid_out_at = txid[:128], timezone.now()
            row.save(update_fields=["claim_state", "claim_checked_at", "last_error", "payout_txid", "paid_out_at"])
    return row


def refund_claims_refresh(*, limit: int = 200) -> dict:
    """Periodic: refresh the claims still open, least recently checked first. Stops at the first
    outage (the next run carries on); a refund the processor refuses to tell about keeps its
    error for staff and is tried again later. Returns counts per outcome."""
    counts = {"checked": 0, "paid_out": 0, "refused": 0, "unavailable": 0}
    for refund in (Refund.objects.filter(method=Refund.Method.CRYPTO, status=Refund.Status.SENT,
                                         claim_state__in=OPEN_CLAIMS)
                   .order_by(F("claim_checked_at").asc(nulls_first=True), "pk")[:limit]):
        try:
            refreshed = refund_claim_refresh(refund=refund)
        except ProcessorUnavailable:
            counts["unavailable"] += 1
            break
        except ProcessorRejected as exc:
            Refund.objects.filter(pk=refund.pk).update(last_error=exc.message[:500], claim_checked_at=timezone.now())
            counts["refused"] += 1
            continue
        counts["checked"] += 1
        counts["paid_out"] += refreshed.claim_state == Refund.ClaimState.PAID_OUT
    return counts
