"""Reads of crypto checkout: quotes in a coin, the coins on offer, an invoice's status."""
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation, localcontext

from django.db.models import QuerySet
from django.utils import timezone

from bookings.payments.adapters.rates import rate_fetch
from bookings.payments.errors import AmountInvalid, CoinUnavailable, InvoiceNotFound
from bookings.payments.models import Coin, Invoice


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
    coin = Coin.objects.filter(code=str(coin_code).upper(), active=True).first()
    if coin is None:
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
