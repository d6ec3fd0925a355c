"""Reads of crypto checkout: quotes in a coin, the coins on offer, an invoice's status, credit balances."""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal, InvalidOperation, localcontext

from django.db.models import QuerySet, Sum
from django.utils import timezone

from bookings.payments.adapters.rates import rate_fetch
from bookings.payments.errors import AmountInvalid, CoinUnavailable, InvoiceNotFound
from bookings.payments.models import Coin, CreditAccount, CreditEntry, Invoice, Refund
from core.reads import get_along


@dataclass(frozen=True)
class CryptoQuote:
    coin: Coin
    fiat_amount: Decimal
    fiat_currency: str
    rate: Decimal  # fiat per one coin
    amount: Decimal  # due in the coin, rounded up to its decimals
    rate_time: datetime

    @property
    def coin_code(self) -> str:
        return self.coin.code

    @property
    def crypto_amount(self) -> Decimal:
        return self.amount

    def as_dict(self) -> dict:
        """Strings only: fit for a price lock in Redis or a JSON answer."""
        return {"coin_code": self.coin.code, "fiat_amount": str(self.fiat_amount),
                "fiat_currency": self.fiat_currency, "rate": str(self.rate), "amount": str(self.amount),
                "rate_time": self.rate_time.isoformat()}


def currencies_for_checkout() -> QuerySet[Coin]:
    return Coin.objects.filter(active=True)


def coin_for_checkout(*, coin_code: str) -> Coin:
    try:  # every quote and every placement reads its coin: a SELECT built once (core/reads.py)
        coin = get_along(Coin, str(coin_code).upper(), by="code")
    except Coin.DoesNotExist:
        coin = None
    if coin is None or not coin.active:
        raise CoinUnavailable(f"{coin_code} is not accepted for payment.")
    return coin


def crypto_amount_for(*, coin: Coin, fiat_amount: Decimal, rate: Decimal) -> Decimal:
    """fiat / rate, rounded UP to the coin's smallest unit (the traveller never pays short)."""
    with localcontext() as ctx:
        ctx.prec = 80
        return (Decimal(fiat_amount) / Decimal(rate)).quantize(coin.quantum, rounding=ROUND_CEILING)


def crypto_quote(*, fiat_amount, fiat_currency: str, coin_code: str) -> CryptoQuote:
    """The amount due in a coin for a fiat amount at the current rate.

    Raises CoinUnavailable, AmountInvalid (not positive, or below the coin's minimum) or
    RatesUnavailable (the rate source is down: show the message, offer to try again).
    """
    try:
        fiat = Decimal(str(fiat_amount))
    except InvalidOperation as exc:
        raise AmountInvalid(f"{fiat_amount!r} is not an amount.") from exc
    if not fiat.is_finite() or fiat <= 0:
        raise AmountInvalid("The amount to pay must be positive.")
    coin = coin_for_checkout(coin_code=coin_code)
    rate = rate_fetch(coin_code=coin.code, fiat_currency=fiat_currency)
    amount = crypto_amount_for(coin=coin, fiat_amount=fiat, rate=rate.value)
    if amount < coin.minimum_amount:
        raise AmountInvalid(
            f"{fiat} {fiat_currency.upper()} is {amount} {coin.symbol}, below the minimum of "
            f"{coin.minimum_amount.normalize():f} {coin.symbol} for {coin.name}; please choose another coin."
        )
    return CryptoQuote(coin=coin, fiat_amount=fiat, fiat_currency=fiat_currency.upper(), rate=rate.value,
                       amount=amount, rate_time=rate.time)


def invoice_for_reference(*, reference: str) -> Invoice:
    invoice = Invoice.objects.select_related("coin").filter(reference=reference).first()
    if invoice is None:
        raise InvoiceNotFound(f"No payment for {reference}.")
    return invoice


def coin_amount(amount: Decimal, coin: Coin) -> str:
    """An amount written with exactly the coin's decimals (no float, no exponent)."""
    return f"{Decimal(amount).quantize(coin.quantum):f}"


def invoice_status(*, invoice: Invoice) -> dict:
    """What the payment page shows and polls (all amounts as strings)."""
    confirmations = [p.confirmations for p in invoice.payments.all() if not p.after_expiration]
    seconds_left = max(int((invoice.expires_at - timezone.now()).total_seconds()), 0)
    return {
        "reference": invoice.reference,
        "status": invoice.status,
        "status_label": invoice.get_status_display(),
        "exception": invoice.exception,
        "exception_label": invoice.get_exception_display() if invoice.exception else "",
        "coin": invoice.coin.code,
        "amount_due": coin_amount(invoice.amount_due, invoice.coin),
        "amount_paid": coin_amount(invoice.amount_paid, invoice.coin),
        "amount_outstanding": coin_amount(invoice.amount_outstanding, invoice.coin),
        "amount_confirmed": coin_amount(invoice.amount_confirmed, invoice.coin),
        "confirmations": min(confirmations) if confirmations else 0,
        "confirmations_required": invoice.coin.confirmations_required,
        "expires_at": invoice.expires_at.isoformat(),
        "seconds_left": seconds_left if invoice.status == Invoice.Status.NEW else 0,
        "address": invoice.address,
        "settled": invoice.status == Invoice.Status.SETTLED,
        "final": not invoice.is_open,
    }


# --- platform credit ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CreditMismatch:
    user_id: int
    currency: str
    cached: Decimal
    from_entries: Decimal


def credit_balances_of(*, user) -> list[CreditAccount]:
    """The traveller's credit accounts with a balance, largest first (cached balances)."""
    if not user or not user.is_authenticated:
        return []
    return list(CreditAccount.objects.filter(user=user, balance__gt=0).order_by("-balance", "currency"))


def credit_entries_of(*, user) -> QuerySet[CreditEntry]:
    return CreditEntry.objects.filter(account__user=user).select_related("account").order_by("-created_at", "-id")


def credit_mismatches() -> list[CreditMismatch]:
    """Credit accounts whose cached balance differs from the sum of their entries (should be none)."""
    derived = {row["account"]: row["total"] or Decimal(0)
               for row in CreditEntry.objects.values("account").annotate(total=Sum("amount")).order_by()}
    return [CreditMismatch(user_id=a.user_id, currency=a.currency, cached=a.balance,
                           from_entries=derived.get(a.pk, Decimal(0)))
            for a in CreditAccount.objects.order_by("pk").iterator()
            if a.balance != derived.get(a.pk, Decimal(0))]


@dataclass(frozen=True)
class CreditAllowance:
    currency: str
    balance: Decimal  # the traveller's credit in this currency
    maximum: Decimal  # the most a booking may use: min(balance, what is due)


def credit_balance_of(*, user, currency: str) -> Decimal:
    account = CreditAccount.objects.filter(user=user, currency=currency.upper()).first()
    return account.balance if account else Decimal("0.00")


def credit_allowance_of(*, user, fiat_total: Decimal, currency: str) -> CreditAllowance:
    """How much credit a booking of ``fiat_total`` may use: all of it. What credit (and points)
    leave is paid by a crypto invoice; a booking they cover entirely has no invoice at all
    (bookings' placement moves it on as paid at once)."""
    balance = credit_balance_of(user=user, currency=currency)
    ceiling = max(Decimal(fiat_total), Decimal("0.00"))
    return CreditAllowance(currency=currency.upper(), balance=balance, maximum=min(balance, ceiling))


@dataclass(frozen=True)
class Excess:
    amount: str  # in the coin, in its decimals
    coin_code: str
    fiat_amount: Decimal  # at the invoice's locked rate, rounded down to the cent
    fiat_currency: str
    returned: bool  # already given back (to the wallet or as credit)


def excess_of(*, reference: str) -> Excess | None:
    """What was paid over the amount due for ``reference`` (None when nothing is over)."""
    invoice = Invoice.objects.select_related("coin").filter(reference=reference, excess_amount__gt=0).first()
    if invoice is None:
        return None
    returned = invoice.refunds.filter(reason=Refund.EXCESS_REASON).exclude(status=Refund.Status.FAILED).exists()
    fiat = (invoice.excess_amount * invoice.rate).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return Excess(amount=coin_amount(invoice.excess_amount, invoice.coin), coin_code=invoice.coin.code,
                  fiat_amount=fiat, fiat_currency=invoice.fiat_currency, returned=returned)


# --- crypto refunds the traveller claims ---------------------------------------------------------
CLAIM_PHRASES = {
    "pending": "Being prepared: your claim link follows shortly",
    "sent": "Sent before claim links existed: our team will contact you",
    Refund.ClaimState.UNCLAIMED: "Ready to claim",
    Refund.ClaimState.CLAIMED: "Claimed: being sent to your wallet",
    Refund.ClaimState.PAID_OUT: "Paid out to your wallet",
}


@dataclass(frozen=True)
class RefundClaim:
    """A crypto refund as its traveller sees it. ``claim_link`` is theirs alone: show it only to
    the booking's traveller (their page, their email), never to staff."""

    amount: str  # in the coin, in its decimals
    coin_code: str
    fiat_amount: Decimal
    fiat_currency: str
    state: str  # pending, unclaimed, claimed, paid_out (sent: an old refund without a claim state)
    phrase: str
    claim_link: str  # "" until the processor has it
    payout_txid: str

    @property
    def to_claim(self) -> bool:
        return self.state == Refund.ClaimState.UNCLAIMED and bool(self.claim_link)


def refund_claims_of(*, reference: str) -> list[RefundClaim]:
    """The crypto refunds of ``reference`` (not failed ones), oldest first."""
    refunds = (Refund.objects.select_related("invoice__coin")
               .filter(reference=reference, method=Refund.Method.CRYPTO)
               .exclude(status=Refund.Status.FAILED).order_by("created_at", "pk"))
    claims = []
    for refund in refunds:
        state = refund.claim_state or refund.status
        claims.append(RefundClaim(
            amount=coin_amount(refund.crypto_amount, refund.invoice.coin), coin_code=refund.invoice.coin.code,
            fiat_amount=refund.fiat_amount, fiat_currency=refund.invoice.fiat_currency, state=state,
            phrase=CLAIM_PHRASES[state], claim_link=refund.claim_link, payout_txid=refund.payout_txid,
        ))
    return claims
