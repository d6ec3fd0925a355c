"""The display currency: prices shown again, approximately, in the currency a traveller reads.

The choice lives in a cookie (no account needed, and anonymous cached pages vary on it). A
price is converted with the exchange rates checkout already uses (``bookings.payments``'s rate
source, cached for ``PAYMENT_RATE_CACHE_SECONDS``): the cross rate through BTC, which the
source quotes in every fiat it knows. The conversion is labelled "approx."; what is booked and
charged stays in the hotel's own currency. When the rates are down the page simply shows no
conversion.
"""
from decimal import Decimal

from bookings.payments.adapters.rates import rate_fetch
from bookings.payments.errors import RatesUnavailable
from core.money import money

COOKIE = "display_currency"
COOKIE_MAX_AGE = 365 * 24 * 3600
CURRENCIES = {  # code -> name, the fiat currencies the rate source quotes
    "USD": "US dollar", "EUR": "Euro", "GBP": "Pound sterling", "AUD": "Australian dollar",
    "SGD": "Singapore dollar", "THB": "Thai baht", "MYR": "Malaysian ringgit", "IDR": "Indonesian rupiah",
    "VND": "Vietnamese dong", "JPY": "Japanese yen",
}
NO_DECIMALS = {"IDR", "VND", "JPY"}  # shown as whole units, as people there read prices
CROSS_COIN = "BTC"


def chosen_currency(request) -> str:
    """The display currency the visitor chose, or '' (show the hotel's own currency only)."""
    code = (request.COOKIES.get(COOKIE, "") if request is not None else "").upper()
    return code if code in CURRENCIES else ""


def cross_rate(*, source: str, target: str) -> Decimal | None:
    """Units of ``target`` per unit of ``source``, or None when the rates cannot say."""
    if source == target:
        return Decimal(1)
    try:
        to_source = rate_fetch(coin_code=CROSS_COIN, fiat_currency=source).value
        to_target = rate_fetch(coin_code=CROSS_COIN, fiat_currency=target).value
    except RatesUnavailable:
        return None
    return to_target / to_source


def converted(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    value = Decimal(amount) * rate
    return value.quantize(Decimal(1)) if currency in NO_DECIMALS else money(value)


def formatted(amount: Decimal, currency: str) -> str:
    """1234.5 USD -> '1,234.50'; 2450000 VND -> '2,450,000'."""
    return f"{amount:,.0f}" if currency in NO_DECIMALS else f"{amount:,.2f}"
