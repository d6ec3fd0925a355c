"""The sandbox processor sends its webhooks as BTCPay does: the call that caused them answers at
once, and one background sender posts them afterwards, one at a time and in order; a wallet can pay
to an invoice's address. A receiver on loopback that can be held shows who waits on whom."""
import json
import threading
import time

import httpx
import pytest

from sandboxes.server import LoopbackServer
from tests.fixtures.worker import wait_for


class HeldReceiver:
    """A webhook endpoint that answers only while ``open`` is set, noting what it got and how many
    deliveries were in flight at once."""

    def __init__(self):
        self.open = threading.Event()
        self.lock = threading.Lock()
        self.received: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.url = ""

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.open.wait(10)
        with self.lock:
            self.in_flight -= 1
            self.received.append(json.loads(body)["type"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]


@pytest.fixture
def receiver(payments_sandbox):
    receiver = HeldReceiver()
    server = LoopbackServer(receiver)
    receiver.url = server.start()
    httpx.post(f"{payments_sandbox.url}/_sandbox/webhook", json={"url": receiver.url, "secret": "s"}).raise_for_status()
    yield receiver
    receiver.open.set()
    payments_sandbox.app.sender.wait(10)
    server.stop()


def _invoice(url: str, amount: str = "0.01") -> dict:
    response = httpx.post(f"{url}/api/v1/stores/sandbox-store/invoices", headers={"Authorization": "token sandbox-api-key"},
                          json={"amount": amount, "currency": "BTC", "metadata": {"orderId": "LT-1"},
                                "requiredConfirmations": 2})
    response.raise_for_status()
    return response.json()


def _address(url: str, invoice: dict) -> str:
    methods = httpx.get(f"{url}/api/v1/stores/sandbox-store/invoices/{invoice['id']}/payment-methods",
                        headers={"Authorization": "token sandbox-api-key"}).json()
    return methods[0]["destination"]


def _deliveries(url: str, wait=None) -> httpx.Response:
    return httpx.get(f"{url}/_sandbox/deliveries", params={} if wait is None else {"wait": wait}, timeout=20)


def test_pay_and_mine_answer_while_the_webhook_receiver_is_still_busy(payments_sandbox, receiver):
    # given: a receiver that takes no webhook until we let it
    url = payments_sandbox.url
    invoice = _invoice(url)

    # when: the traveller's payment lands and two blocks are mined
    started = time.monotonic()
    httpx.post(f"{url}/_sandbox/invoices/{invoice['id']}/pay", json={"amount": "0.01"}, timeout=5).raise_for_status()
    httpx.post(f"{url}/_sandbox/mine", json={"blocks": 2}, timeout=5).raise_for_status()
    answered_in = time.monotonic() - started

    # then: both answered without waiting on the receiver; the webhooks are queued, not lost
    assert answered_in < 2
    assert receiver.received == []
    pending = _deliveries(url, wait=0.2)
    assert pending.status_code == 504 and pending.json()["pending"] == 5

    receiver.open.set()
    sent = _deliveries(url, wait=10)
    assert sent.status_code == 200
    assert [(d["type"], d["status"]) for d in sent.json()] == [
        ("InvoiceCreated", 200), ("InvoiceReceivedPayment", 200), ("InvoiceProcessing", 200),
        ("InvoicePaymentSettled", 200), ("InvoiceSettled", 200)]


def test_webhooks_reach_the_receiver_one_at_a_time_in_the_order_they_happened(payments_sandbox, receiver):
    url = payments_sandbox.url
    receiver.open.set()
    invoices = [_invoice(url) for _ in range(3)]
    for invoice in invoices:
        httpx.post(f"{url}/_sandbox/invoices/{invoice['id']}/pay", json={"amount": "0.01"}).raise_for_status()
    httpx.post(f"{url}/_sandbox/mine", json={"blocks": 2}).raise_for_status()

    assert _deliveries(url, wait=10).status_code == 200
    assert receiver.received == (["InvoiceCreated"] * 3 + ["InvoiceReceivedPayment", "InvoiceProcessing"] * 3
                                 + ["InvoicePaymentSettled", "InvoiceSettled"] * 3)
    assert receiver.most_in_flight == 1


def test_a_reset_forgets_queued_webhooks_so_none_reaches_the_next_test(payments_sandbox, receiver):
    url = payments_sandbox.url
    invoice = _invoice(url)
    assert wait_for(lambda: receiver.in_flight, timeout=10, every=0.01)  # InvoiceCreated is held there
    httpx.post(f"{url}/_sandbox/invoices/{invoice['id']}/pay", json={"amount": "0.01"}).raise_for_status()

    threading.Timer(0.3, receiver.open.set).start()
    payments_sandbox.app.reset()  # waits for the one in flight, drops the two queued

    assert receiver.received == ["InvoiceCreated"]
    assert _deliveries(url, wait=1).json() == []


def test_a_wallet_pays_to_the_address_it_scanned(payments_sandbox, receiver):
    url = payments_sandbox.url
    receiver.open.set()
    invoice = _invoice(url, amount="0.02")

    paid = httpx.post(f"{url}/_sandbox/addresses/{_address(url, invoice)}/pay", json={"amount": "0.02"})
    unknown = httpx.post(f"{url}/_sandbox/addresses/bcrt1qnobody/pay", json={"amount": "0.02"})

    assert paid.status_code == 200 and paid.json()["invoice"]["status"] == "Processing"
    assert paid.json()["invoice"]["id"] == invoice["id"]
    assert unknown.status_code == 404
    assert [d["type"] for d in _deliveries(url, wait=10).json()][-1] == "InvoiceProcessing"


def test_waiting_for_deliveries_takes_a_number_of_seconds(payments_sandbox):
    assert _deliveries(payments_sandbox.url, wait="soon").status_code == 400
