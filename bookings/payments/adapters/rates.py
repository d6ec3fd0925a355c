"""Exchange rates over HTTP from RATES_API_URL (the rates sandbox in the embedded mode).

Speaks BTCPay's rates shape: ``GET /api/v1/rates?currencyPair=BTC_USD`` ->
``[{"currencyPair", "rate", "errors"}]``. A rate is cached briefly (PAYMENT_RATE_CACHE_SECONDS)
in the Django cache so a busy checkout asks the source a few times a minute, not per request.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from bookings.payments.errors import RatesUnavailable
from core.http_client import outside_http


@dataclass(frozen=True)
class Rate:
    coin_code: str
    fiat_currency: str
    value: Decimal  # fiat per one coin
    time: datetime


def rates_base_url() -> str:
    if settings.RATES_API_URL:
        return settings.RATES_API_URL.rstrip("/")
    from sandboxes.embedded import sandbox_url

    return sandbox_url("rates")


def rate_fetch(*, coin_code: str, fiat_currency: str) -> Rate:
    """The current rate, from the cache if it is fresh. Raises RatesUnavailable."""
    pair = f"{coin_code.upper()}_{fiat_currency.upper()}"
    key = f"payments:rate:{pair}"
    cached = cache.get(key)
    if cached:
        return Rate(coin_code, fiat_currency, Decimal(cached[0]), datetime.fromisoformat(cached[1]))
    try:
        response = outside_http().get(f"{rates_base_url()}/api/v1/rates", params={"currencyPair": pair},
                             timeout=settings.OUTSIDE_HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        raise RatesUnavailable(
            "Exchange rates are unavailable right now; please try again in a minute."
        ) from exc
    if response.status_code != 200:
        raise RatesUnavailable(
            f"Exchange rates are unavailable right now (source answered {response.status_code}); "
            "please try again in a minute."
        )
    try:
        entry = next(e for e in response.json() if e.get("currencyPair") == pair)
        if entry.get("errors") or entry.get("rate") is None:
            raise RatesUnavailable(f"No exchange rate for {coin_code} in {fiat_currency}.")
        value = Decimal(str(entry["rate"]))
    except (StopIteration, ValueError, TypeError, InvalidOperation) as exc:
        raise RatesUnavailable(f"No exchange rate for {coin_code} in {fiat_currency}.") from exc
    if value <= 0:
        raise RatesUnavailable(f"No exchange rate for {coin_code} in {fiat_currency}.")
    stamp = response.headers.get("X-Rates-Time")
    try:
        when = datetime.fromisoformat(stamp) if stamp else timezone.now()
    except ValueError:
        when = timezone.now()
    cache.set(key, (str(value), when.isoformat()), settings.PAYMENT_RATE_CACHE_SECONDS)
    return Rate(coin_code, fiat_currency, value, when)
