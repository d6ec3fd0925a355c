"""A correctly signed webhook whose body is malformed is a 400 that stores nothing, so the
processor's later, well-formed retry of the same delivery is processed, not answered
"duplicate" (the malformed one used to be stored before a 500)."""
import json

import pytest

from bookings.payments.models import Invoice, WebhookDelivery
from bookings.payments.services.webhooks import signature_for
from tests.payments.conftest import topics
from tests.payments.test_webhooks import DEAD_END, captured, post

pytestmark = pytest.mark.django_db

MALFORMED = {
    "timestamp NaN": lambda event: event | {"timestamp": float("nan")},
    "timestamp Infinity": lambda event: event | {"timestamp": float("inf")},
    "NUL in the delivery id": lambda event: event | {"deliveryId": event["deliveryId"][:4] + "\x00" + event["deliveryId"][4:]},
    "NUL in the invoice id": lambda event: event | {"invoiceId": event["invoiceId"] + "\x00"},
    "metadata a list": lambda event: event | {"invoiceId": "SBX-unknown", "metadata": [event["metadata"]]},
    "orderId an object": lambda event: event | {"invoiceId": "SBX-unknown", "metadata": {"orderId": {"x": 1}}},
}


def signed(event) -> tuple[bytes, str]:
    body = json.dumps(event).encode()  # json.dumps writes NaN and Infinity as the processor's bug would
    return body, signature_for(body)


@pytest.mark.parametrize("malform", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_malformed_delivery_is_a_400_that_stores_nothing_and_its_retry_is_processed(
    client, chain, open_invoice, malform
):
    # given: a real delivery of a payment, which the processor first sent malformed
    chain.webhooks_to(DEAD_END)
    invoice = open_invoice(coin="BTC")
    chain.pay(invoice, invoice.amount_due)
    good_body, good_signature = captured(chain, "InvoiceReceivedPayment")
    bad_body, bad_signature = signed(malform(json.loads(good_body)))

    # when: the malformed one arrives
    refused = post(client, bad_body, bad_signature)

    # then: a 400 saying what is wrong, and nothing stored or changed
    assert refused.status_code == 400 and "not a processor event" in refused.json()["error"]
    assert not WebhookDelivery.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == "new" and topics(invoice.reference) == []

    # when: the processor retries the same delivery, well formed
    retried = post(client, good_body, good_signature)

    # then: it is processed, not taken for a duplicate
    assert retried.status_code == 200 and retried.json()["duplicate"] is False
    invoice.refresh_from_db()
    assert invoice.status == "processing" and topics(invoice.reference) == ["payment.processing"]
    assert WebhookDelivery.objects.get().processed_at is not None


def test_a_signed_body_nested_too_deeply_to_parse_is_a_400(client):
    body = b"[" * 5000
    answer = post(client, body, signature_for(body))
    assert answer.status_code == 400 and "not a processor event" in answer.json()["error"]
    assert not WebhookDelivery.objects.exists() and not Invoice.objects.exists()
