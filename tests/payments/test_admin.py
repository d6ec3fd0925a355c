"""Staff see coins, invoices with their ledger and refunds, and webhook deliveries in the admin."""
import pytest
from django.contrib.auth import get_user_model

from bookings.payments.models import WebhookDelivery
from bookings.payments.services import invoice_sync, refund_create

pytestmark = pytest.mark.django_db


def test_staff_read_invoices_with_their_payments_refunds_and_deliveries(client, chain, open_invoice):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pass-for-tests")
    client.force_login(admin)
    invoice = open_invoice(coin="BTC")
    txid = chain.pay(invoice, invoice.amount_due)
    chain.mine(2)
    invoice_sync(invoice=invoice)
    refund_create(reference=invoice.reference, fiat_amount="10.00", method="credit", reason="goodwill",
                  user_id=admin.pk)
    WebhookDelivery.objects.create(delivery_id="dlv-admin", event_type="InvoiceSettled", body="{}")

    detail = client.get(f"/admin/payments/invoice/{invoice.pk}/change/").content.decode()
    assert txid in detail and "goodwill" in detail
    coins = client.get("/admin/payments/coin/?q=USDT")
    assert coins.status_code == 200 and "USDT-TRC20" in coins.content.decode()
    assert client.get("/admin/payments/invoice/").status_code == 200
    assert "dlv-admin" in client.get("/admin/payments/webhookdelivery/").content.decode()
    assert client.get("/admin/payments/refund/").status_code == 200
