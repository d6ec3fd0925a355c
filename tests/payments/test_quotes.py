"""The coin registry and crypto quotes over the rates sandbox: Decimal amounts rounded up to
each coin's decimals, minimums, and a clear error when rates are unavailable."""
from decimal import Decimal

import pytest

from bookings.payments.errors import AmountInvalid, CoinUnavailable, RatesUnavailable
from bookings.payments.models import Coin, Invoice
from bookings.payments.selectors import crypto_quote, currencies_for_checkout
from bookings.payments.services import invoice_open

pytestmark = pytest.mark.django_db


def test_the_registry_offers_over_a_hundred_coins_with_usdt_on_several_networks():
    coins = list(currencies_for_checkout())
    assert len(coins) >= 100
    usdt = {c.network for c in coins if c.symbol == "USDT"}
    assert {"Tron", "Ethereum", "BNB Smart Chain"} <= usdt
    assert {c.code: (c.decimals, c.confirmations_required) for c in coins if c.code in ("BTC", "ETH")} == {
        "BTC": (8, 2), "ETH": (12 + 6, 12)}
    assert all(0 <= c.decimals <= 18 and c.minimum_amount > 0 for c in coins)


def test_inactive_coins_are_not_offered_nor_quoted(rates):
    Coin.objects.filter(code="DOGE").update(active=False)
    assert not currencies_for_checkout().filter(code="DOGE").exists()
    with pytest.raises(CoinUnavailable, match="DOGE is not accepted"):
        crypto_quote(fiat_amount="50", fiat_currency="USD", coin_code="DOGE")


def test_quote_rounds_up_to_the_coins_decimals(rates):
    # 100 USD at 64000 USD/BTC = 0.0015625 BTC exactly; 100 USD at 3200 USD/ETH = 0.03125 ETH
    assert crypto_quote(fiat_amount="100", fiat_currency="USD", coin_code="BTC").amount == Decimal("0.00156250")
    # 1000 THB at 64000*35.5 THB/BTC = 0.000440140845... BTC: rounded up at the 8th decimal
    btc = crypto_quote(fiat_amount=Decimal("1000.00"), fiat_currency="THB", coin_code="BTC")
    assert btc.amount == Decimal("0.00044015") and btc.rate == Decimal("2272000.00")
    assert btc.amount * btc.rate >= Decimal("1000.00")  # never short
    # 100 USD at 3200 * 0.92 EUR/ETH: 18 decimals, rounded up in the last one
    eth = crypto_quote(fiat_amount="100", fiat_currency="EUR", coin_code="ETH")
    assert eth.amount == Decimal("0.033967391304347827")
    assert -eth.amount.as_tuple().exponent == 18
    # the amount survives the database with all 18 decimals
    invoice = invoice_open(reference="LT-ETH", fiat_amount="100", fiat_currency="EUR", coin_code="ETH",
                           crypto_amount=eth.amount, rate=eth.rate)
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("0.033967391304347827")
    assert eth.as_dict()["amount"] == "0.033967391304347827"


def test_a_quote_below_the_coins_minimum_is_refused_with_the_reason(rates):
    with pytest.raises(AmountInvalid, match="below the minimum of 0.00005 BTC"):
        crypto_quote(fiat_amount="1.00", fiat_currency="USD", coin_code="BTC")
    with pytest.raises(AmountInvalid, match="positive"):
        crypto_quote(fiat_amount="-5", fiat_currency="USD", coin_code="BTC")


def test_rates_unavailable_is_a_clear_error_and_rates_are_cached_briefly(rates):
    crypto_quote(fiat_amount="100", fiat_currency="USD", coin_code="SOL")
    crypto_quote(fiat_amount="200", fiat_currency="USD", coin_code="SOL")
    assert rates.calls() == 1  # the second quote used the cached rate

    rates.configure(down=True)
    with pytest.raises(RatesUnavailable, match="Exchange rates are unavailable right now"):
        crypto_quote(fiat_amount="100", fiat_currency="USD", coin_code="ADA")
    with pytest.raises(RatesUnavailable, match="No exchange rate for BTC in XYZ"):
        rates.configure(down=False)
        crypto_quote(fiat_amount="100", fiat_currency="XYZ", coin_code="BTC")
    assert not Invoice.objects.exists()
