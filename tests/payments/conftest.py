"""Payments fixtures: the processor and rates sandboxes on loopback, a client of the sandbox's
chain controls, and a helper that quotes, opens and submits an invoice like the booking does."""
from decimal import Decimal

import httpx
import pytest

from bookings.payments.access import pay_link
from bookings.payments.coin_data import coins_seed
from bookings.payments.models import Invoice
from bookings.payments.selectors import crypto_quote
from bookings.payments.services import invoice_open, invoice_submit
from core.models import OutboxMessage


@pytest.fixture(autouse=True)
def coin_registry(request):
    """The registry comes from a data migration; a transactional test elsewhere may have flushed it."""
    if "django_db" in [m.name for m in request.node.iter_markers()] or "db" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        coins_seed()


class Chain:
    """The sandbox processor's controls: pay an invoice, mine blocks, expire, read deliveries."""

    def __init__(self, url: str):
        self.url = url

    def _post(self, path: str, **body) -> dict:
        response = httpx.post(f"{self.url}{path}", json=body, timeout=15)
        assert response.status_code == 200, response.text
        if path.startswith(("/_sandbox/invoices/", "/_sandbox/mine")):
            self.deliveries()
        return response.json()

    def deliveries(self) -> list[dict]:
        """Every delivery, once the sandbox has sent all it queued: it answers a control first and
        posts the webhooks afterwards, as BTCPay does, so a test waits here to see their effect."""
        response = httpx.get(f"{self.url}/_sandbox/deliveries", params={"wait": 15}, timeout=20)
        assert response.status_code == 200, response.text
        return response.json()

    def pay(self, invoice: Invoice, amount, txid: str | None = None) -> str:
        body = {"amount": str(amount)} | ({"txid": txid} if txid else {})
        return self._post(f"/_sandbox/invoices/{invoice.processor_id}/pay", **body)["txid"]

    def mine(self, blocks: int = 1) -> None:
        self._post("/_sandbox/mine", blocks=blocks)

    def expire(self, invoice: Invoice) -> None:
        self._post(f"/_sandbox/invoices/{invoice.processor_id}/expire")

    def webhooks_to(self, url: str, secret: str = "sandbox-webhook-secret") -> None:
        self._post("/_sandbox/webhook", url=url, secret=secret)

    def configure(self, **behaviour) -> None:
        self._post("/_sandbox/config", **behaviour)

    def calls(self) -> int:
        return httpx.get(f"{self.url}/_sandbox/stats", timeout=5).json()["calls"]

    def invoice_count(self) -> int:
        response = httpx.get(f"{self.url}/api/v1/stores/sandbox-store/invoices",
                             headers={"Authorization": "token sandbox-api-key"}, timeout=5)
        return len(response.json())


@pytest.fixture
def chain(payments_sandbox):
    chain = Chain(payments_sandbox.url)
    yield chain
    chain.deliveries()  # a webhook still queued would land on the live server during the next test


@pytest.fixture
def rates(rates_sandbox):
    return Chain(rates_sandbox.url)


@pytest.fixture
def open_invoice(chain, rates):
    """Quote ``fiat`` in ``coin``, open the invoice and submit it to the sandbox processor."""
    counter = iter(range(1, 10_000))

    def make(coin: str = "BTC", fiat: str = "128.00", currency: str = "USD", submit: bool = True, **kwargs):
        quote = crypto_quote(fiat_amount=Decimal(fiat), fiat_currency=currency, coin_code=coin)
        invoice = invoice_open(reference=kwargs.pop("reference", f"LT-TEST-{next(counter)}"), fiat_amount=quote.fiat_amount,
                               fiat_currency=currency, coin_code=coin, crypto_amount=quote.amount, rate=quote.rate,
                               **kwargs)
        return invoice_submit(invoice=invoice) if submit else invoice

    return make


def topics(reference: str) -> list[str]:
    return list(OutboxMessage.objects.filter(key=reference).order_by("id").values_list("topic", flat=True))


def signed(invoice: Invoice, page: str = "") -> str:
    """The payment page (``page``: "", "status.json", "simulate/") through the signed link a
    traveller is sent; these invoices belong to no booking, so nobody is signed in as their owner."""
    link = pay_link(reference=invoice.reference, expires_at=invoice.monitoring_until)
    path, query = link.split("?")
    return f"{path}{page}?{query}"
