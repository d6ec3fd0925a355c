"""Demo data of crypto checkout: the coin registry (normally seeded by migration 0002; restored
here if someone emptied it) and one open demo invoice, so its signed link (``access.pay_link``;
/pay/LT-DEMO-PAY/ alone is a 404, it has no traveller) shows the payment page with the sandbox's
"simulate payment" form before any booking is made. Idempotent, no network
(the demo rate is fixed; the invoice goes to the processor after commit, or when its page is viewed)."""
from datetime import timedelta
from decimal import Decimal

from bookings.payments.coin_data import coins_seed
from bookings.payments.models import ChainPayment, Coin, Invoice
from bookings.payments.selectors import crypto_amount_for
from bookings.payments.services import invoice_open

DEMO_REFERENCE = "LT-DEMO-PAY"


def seed() -> None:
    coins_seed()
    if not Invoice.objects.filter(reference=DEMO_REFERENCE).exists():
        coin, rate, fiat = Coin.objects.get(code="BTC"), Decimal("64000"), Decimal("96.00")
        invoice_open(reference=DEMO_REFERENCE, fiat_amount=fiat, fiat_currency="USD", coin_code="BTC",
                     crypto_amount=crypto_amount_for(coin=coin, fiat_amount=fiat, rate=rate), rate=rate,
                     expires_in=timedelta(days=7))


DEMO_COIN = "USDT-TRC20"


def demo_settled_invoice(*, reference: str, fiat_amount: Decimal, fiat_currency: str, paid_at) -> Invoice:
    """The invoice a demo booking written directly (as payment would have left it) was paid by: in
    full, on time, at 1 fiat unit a coin, so that ``money_check`` finds every coin accounted for.
    Idempotent by reference."""
    coin = Coin.objects.get(code=DEMO_COIN)
    rate = Decimal(1)
    amount = crypto_amount_for(coin=coin, fiat_amount=fiat_amount, rate=rate)
    invoice, created = Invoice.objects.get_or_create(reference=reference, defaults={
        "coin": coin, "fiat_amount": fiat_amount, "fiat_currency": fiat_currency, "rate": rate,
        "amount_due": amount, "amount_paid": amount, "amount_confirmed": amount, "status": Invoice.Status.SETTLED,
        "submitted_at": paid_at, "expires_at": paid_at, "monitoring_until": paid_at, "settled_at": paid_at,
    })
    if created:
        ChainPayment.objects.create(invoice=invoice, txid=f"demo-{reference.lower()}", amount=amount,
                                    confirmations=coin.confirmations_required, received_at=paid_at)
    return invoice
