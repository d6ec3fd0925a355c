"""Reads that prove the payment side adds up, in each coin's own decimals (Decimal only).

For every invoice: each stored coin amount has no more digits than its coin keeps; what was
received equals the sum of its on-chain payments; the excess is what was received over the
amount due; refunds (crypto and credit) never exceed what was received; every refund taken as
credit is in the credit ledger. For every credit account: the balance equals the sum of its
entries. ``manage.py money_check`` adds the booking side (travel/money_check.py).
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Sum

from bookings.payments.models import Coin, CreditEntry, Invoice, Refund
from bookings.payments.selectors import credit_mismatches

CENT = Decimal("0.01")
COIN_AMOUNTS = ("amount_due", "amount_paid", "amount_confirmed", "amount_late", "excess_amount", "shortfall_accepted")


@dataclass(frozen=True)
class Disagreement:
    reference: str  # the booking reference, or what else the row belongs to (e.g. "credit user 7 USD")
    what: str
    expected: str
    found: str

    def __str__(self):
        return f"{self.reference}: {self.what}: expected {self.expected}, found {self.found}"


def _digits_ok(amount: Decimal, coin: Coin) -> bool:
    return amount == amount.quantize(coin.quantum, rounding=ROUND_DOWN)


def invoice_disagreements(invoice: Invoice) -> list[Disagreement]:
    """What does not add up on one invoice (``coin`` selected, ``payments``/``refunds`` prefetched)."""
    ref, coin, found = invoice.reference, invoice.coin, []

    def differs(what, expected, actual):
        if expected != actual:
            found.append(Disagreement(ref, what, f"{expected:f}" if isinstance(expected, Decimal) else str(expected),
                                      f"{actual:f}" if isinstance(actual, Decimal) else str(actual)))

    for name in COIN_AMOUNTS:
        value = getattr(invoice, name)
        if not _digits_ok(value, coin):
            differs(f"invoice {name} in {coin.code}'s {coin.decimals} decimals", value.quantize(coin.quantum,
                    rounding=ROUND_DOWN), value)
    payments = list(invoice.payments.all())
    for payment in payments:
        if not _digits_ok(payment.amount, coin):
            differs(f"chain payment {payment.txid} in {coin.code}'s {coin.decimals} decimals",
                    payment.amount.quantize(coin.quantum, rounding=ROUND_DOWN), payment.amount)
    paid = sum((p.amount for p in payments if not p.after_expiration), Decimal(0))
    late = sum((p.amount for p in payments if p.after_expiration), Decimal(0))
    differs("amount paid = sum of on-time chain payments", paid, invoice.amount_paid)
    differs("amount paid late = sum of late chain payments", late, invoice.amount_late)
    counted = paid + late if invoice.status == Invoice.Status.SETTLED else paid
    differs("excess = received - amount due", max(counted - invoice.amount_due, Decimal(0)), invoice.excess_amount)
    shortfall = max(invoice.amount_due - paid - late, Decimal(0)) if invoice.status == Invoice.Status.SETTLED else 0
    differs("shortfall accepted = amount due - received (settled only)", Decimal(shortfall),
            invoice.shortfall_accepted)
    found += _refund_disagreements(invoice, received=invoice.amount_paid + invoice.amount_late)
    return found


def _refund_disagreements(invoice: Invoice, *, received: Decimal) -> list[Disagreement]:
    ref, coin, found = invoice.reference, invoice.coin, []
    refunds = [r for r in invoice.refunds.all() if r.status != Refund.Status.FAILED]
    crypto = sum((r.crypto_amount for r in refunds), Decimal(0))
    fiat = sum((r.fiat_amount for r in refunds), Decimal(0))
    if crypto > received:
        found.append(Disagreement(ref, f"refunds + credits <= received ({coin.code})", f"<= {received:f}",
                                  f"{crypto:f}"))
    received_fiat = (received * invoice.rate).quantize(CENT, rounding=ROUND_DOWN)
    if fiat > received_fiat:
        found.append(Disagreement(ref, f"refunds + credits <= received ({invoice.fiat_currency})",
                                  f"<= {received_fiat}", f"{fiat}"))
    for refund in refunds:
        if not _digits_ok(refund.crypto_amount, coin):
            found.append(Disagreement(ref, f"refund {refund.pk} in {coin.code}'s {coin.decimals} decimals",
                                      f"{refund.crypto_amount.quantize(coin.quantum, rounding=ROUND_DOWN):f}",
                                      f"{refund.crypto_amount:f}"))
        if refund.method == Refund.Method.CREDIT and refund.status == Refund.Status.CREDITED:
            entry = CreditEntry.objects.filter(source_key=f"refund:{refund.pk}").first()
            if entry is None or entry.amount != refund.fiat_amount:
                found.append(Disagreement(ref, f"credit ledger entry of refund {refund.pk}",
                                          f"{refund.fiat_amount} {invoice.fiat_currency}",
                                          f"{entry.amount} {invoice.fiat_currency}" if entry else "none"))
    return found


def payment_disagreements() -> list[Disagreement]:
    """Every invoice and every credit balance that does not add up (should be none)."""
    found = []
    invoices = (Invoice.objects.select_related("coin").prefetch_related("payments", "refunds")
                .order_by("pk"))
    for invoice in invoices.iterator(chunk_size=500):
        found += invoice_disagreements(invoice)
    for m in credit_mismatches():
        found.append(Disagreement(f"credit of user {m.user_id} in {m.currency}", "balance = sum of credit entries",
                                  f"{m.from_entries}", f"{m.cached}"))
    return found


def credit_spent_on(reference: str) -> Decimal:
    """The platform credit a booking spent at placement (fiat, positive; a later return is separate)."""
    total = CreditEntry.objects.filter(booking_reference=reference, kind=CreditEntry.Kind.SPEND).aggregate(
        s=Sum("amount"))["s"]
    return -(total or Decimal(0))



def credit_returned_to(reference: str) -> Decimal:
    """The platform credit given back for a booking (it ended, or was cancelled with a refund)."""
    total = CreditEntry.objects.filter(booking_reference=reference, kind=CreditEntry.Kind.RETURN).aggregate(
        s=Sum("amount"))["s"]
    return total or Decimal(0)
