"""The processor's webhooks at /webhooks/payments/: signed deliveries act once, forged or stale
ones change nothing; and the whole flow driven by the sandbox's own webhooks to a live server."""
import json
import time

import pytest

from bookings.payments.models import ChainPayment, Invoice, WebhookDelivery
from bookings.payments.services.webhooks import signature_for
from core.models import OutboxMessage
from tests.payments.conftest import topics

URL = "/webhooks/payments/"
DEAD_END = "http://127.0.0.1:9/webhooks/payments/"  # the sandbox signs and fails to send: we replay


def post(client, body: bytes, signature: str | None):
    headers = {"HTTP_BTCPAY_SIG": signature} if signature is not None else {}
    return client.post(URL, data=body, content_type="application/json", **headers)


def captured(chain, kind: str) -> tuple[bytes, str]:
    delivery = [d for d in chain.deliveries() if d["type"] == kind][-1]
    return delivery["body"].encode(), delivery["signature"]


def snapshot(invoice: Invoice) -> tuple:
    invoice.refresh_from_db()
    return (invoice.status, invoice.exception, invoice.amount_paid, ChainPayment.objects.count(),
            WebhookDelivery.objects.count(), OutboxMessage.objects.count())


@pytest.mark.django_db
def test_a_signed_delivery_updates_the_invoice_once_even_when_delivered_twice(client, chain, open_invoice):
    chain.webhooks_to(DEAD_END)
    invoice = open_invoice(coin="BTC")
    chain.pay(invoice, invoice.amount_due)
    body, signature = captured(chain, "InvoiceReceivedPayment")

    first = post(client, body, signature)
    second = post(client, body, signature)

    assert first.status_code == 200 and first.json()["duplicate"] is False
    assert second.status_code == 200 and second.json()["duplicate"] is True
    invoice.refresh_from_db()
    assert invoice.status == "processing"
    assert WebhookDelivery.objects.count() == 1
    assert WebhookDelivery.objects.get().processed_at is not None
    assert topics(invoice.reference) == ["payment.processing"]
    assert invoice.payments.count() == 1


@pytest.mark.django_db
def test_forged_webhooks_are_refused_and_change_nothing(client, chain, open_invoice):
    chain.webhooks_to(DEAD_END, secret="not-our-secret")
    invoice = open_invoice(coin="BTC")
    chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    body, forged_signature = captured(chain, "InvoiceSettled")
    before = snapshot(invoice)

    assert post(client, body, forged_signature).status_code == 401  # signed with another secret
    assert post(client, body, None).status_code == 401  # not signed
    tampered = body.replace(b"InvoiceSettled", b"InvoiceExpired")
    assert post(client, tampered, signature_for(body)).status_code == 401  # the body changed after signing
    answer = post(client, body, "sha256=" + "0" * 64)

    assert answer.status_code == 401 and "signature" in answer.json()["error"]
    assert snapshot(invoice) == before
    assert before[:2] == ("new", "")


@pytest.mark.django_db
def test_malformed_and_stale_deliveries_are_refused_with_400(client, chain, open_invoice):
    invoice = open_invoice(coin="BTC")
    before = snapshot(invoice)
    event = {"deliveryId": "dlv-1", "type": "InvoiceSettled", "invoiceId": invoice.processor_id,
             "timestamp": int(time.time()) - 3600, "storeId": "sandbox-store"}

    stale = json.dumps(event).encode()
    unknown = json.dumps(event | {"type": "InvoiceMagic", "timestamp": int(time.time())}).encode()
    not_json = b"{not json"

    for body, message in ((stale, "too old"), (unknown, "Unknown webhook event"), (not_json, "not a processor")):
        answer = post(client, body, signature_for(body))
        assert answer.status_code == 400 and message in answer.json()["error"]
    assert snapshot(invoice) == before


@pytest.mark.django_db
def test_the_webhook_endpoint_takes_only_post(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_a_webhook_for_an_invoice_we_do_not_have_is_acknowledged_and_ignored(client):
    body = json.dumps({"deliveryId": "dlv-x", "type": "InvoiceProcessing", "invoiceId": "SBX-unknown",
                       "timestamp": int(time.time()), "metadata": {"orderId": "LT-NOPE"}}).encode()
    answer = post(client, body, signature_for(body))
    assert answer.status_code == 200 and "ignored" in answer.json()["outcome"]
    assert not Invoice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_webhooks_from_the_processor_drive_an_invoice_to_settled_on_a_live_server(live_server, chain,
                                                                                   open_invoice, settings):
    # given: the processor sends its webhooks to the running site
    settings.CELERY_TASK_ALWAYS_EAGER = True
    chain.webhooks_to(live_server.url + URL)
    invoice = open_invoice(coin="LTC", fiat="160.00")  # 2 LTC, 6 confirmations

    # when: the traveller pays and blocks are mined; nobody asks the processor
    chain.pay(invoice, "1.2")
    chain.pay(invoice, "0.8")
    chain.mine(6)

    # then: the webhooks alone moved the invoice along
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_confirmed) == ("settled", 2)
    assert topics(invoice.reference) == ["payment.partial", "payment.processing", "payment.settled"]
    sent = [d for d in chain.deliveries() if d["url"]]
    assert sent and all(d["status"] == 200 for d in sent)
    assert WebhookDelivery.objects.count() == len(sent)

    # the processor resends a delivery (same bytes, same signature): acknowledged, no new effect
    replay = chain._post(f"/_sandbox/deliveries/{sent[-1]['deliveryId']}/resend")
    assert replay["status"] == 200
    assert WebhookDelivery.objects.count() == len(sent)
    assert topics(invoice.reference) == ["payment.partial", "payment.processing", "payment.settled"]
