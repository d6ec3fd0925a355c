"""Sandbox exchange-rate source, shaped like BTCPay Server's store rates endpoint.

    GET /api/v1/rates?currencyPair=BTC_USD,ETH_EUR
    -> [{"currencyPair": "BTC_USD", "rate": "64000.00", "errors": []}, ...] and a "time" header

Prices are deterministic: well-known coins have a fixed USD price; any other code gets a price
derived from a hash of its code. Fiat prices are the USD price times a fixed FX table. A coin
code with a network suffix (USDT-TRC20) is priced as its symbol (USDT). Unknown fiat: an error
entry for that pair. The shared knobs (latency, down, fail_next) apply.
"""
import hashlib
from datetime import UTC, datetime
from decimal import Decimal

from sandboxes.http import App, Response

app = App("rates")

USD_PRICES = {
    "BTC": "64000", "ETH": "3200", "USDT": "1", "USDC": "1", "DAI": "1", "BUSD": "1", "TUSD": "1",
    "FDUSD": "1", "PYUSD": "1", "EURC": "1.08", "XDAI": "1", "BNB": "580", "SOL": "150", "XRP": "0.52",
    "ADA": "0.45", "DOGE": "0.12", "TRX": "0.12", "TON": "6.5", "DOT": "6.8", "MATIC": "0.55", "LTC": "80",
    "BCH": "420", "AVAX": "32", "LINK": "14", "XLM": "0.11", "XMR": "160", "WBTC": "64000", "PAXG": "2350",
    "SHIB": "0.000018", "PEPE": "0.0000085", "BONK": "0.000021", "XEC": "0.000032",
}
FIAT_PER_USD = {
    "USD": "1", "EUR": "0.92", "GBP": "0.79", "THB": "35.50", "VND": "24500", "SGD": "1.34", "IDR": "15700",
    "MYR": "4.70", "JPY": "150", "AUD": "1.52",
}


def usd_price(code: str) -> Decimal:
    symbol = code.upper().split("-")[0]
    if symbol in USD_PRICES:
        return Decimal(USD_PRICES[symbol])
    digest = int(hashlib.sha256(symbol.encode()).hexdigest()[:8], 16)
    # Between about 0.01 and 500 USD: stable across runs.
    price = (Decimal(digest % 9973 + 27) / Decimal(20)).quantize(Decimal("0.0001"))
    return price / Decimal(10) ** (digest % 3)


def rate(coin: str, fiat: str) -> Decimal:
    return usd_price(coin) * Decimal(FIAT_PER_USD[fiat.upper()])


@app.route("GET", r"/api/v1/rates")
def rates(request):
    pairs = [p for p in request.query.get("currencyPair", "").split(",") if p]
    if not pairs:
        return Response(400, {"error": "currencyPair is required, e.g. BTC_USD"})
    answer = []
    for pair in pairs:
        coin, _, fiat = pair.partition("_")
        if not coin or fiat.upper() not in FIAT_PER_USD:
            answer.append({"currencyPair": pair, "rate": None, "errors": [f"no rate for {pair}"]})
        else:
            answer.append({"currencyPair": pair, "rate": str(rate(coin, fiat)), "errors": []})
    now = datetime.now(UTC).isoformat()
    return Response(200, answer, {"X-Rates-Time": now})
