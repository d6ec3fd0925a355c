"""Drive the sandbox processor's simulated chain for a booking's invoice, then let payments
poll it (invoice_sync), which publishes the payment.* topics the booking reacts to."""

import httpx

from bookings.payments.adapters.processor import processor_base_url
from bookings.payments.models import Invoice
from bookings.payments.services import invoice_sync
from tests.fixtures.worker import wait_for  # noqa: F401 (tests use chain.wait_for)


def invoice_of(reference: str) -> Invoice:
    return Invoice.objects.select_related("coin").get(reference=reference)


def _control(path: str, body: dict | None = None) -> dict:
    """A control call, then a wait until the sandbox has sent the webhooks it caused (it answers
    first and posts them afterwards, as a real processor does)."""
    response = httpx.post(f"{processor_base_url()}/_sandbox/{path}", json=body or {}, timeout=5)
    response.raise_for_status()
    httpx.get(f"{processor_base_url()}/_sandbox/deliveries", params={"wait": 15}, timeout=20).raise_for_status()
    return response.json()


def submitted(reference: str, *, timeout: float = 30.0) -> Invoice:
    """The invoice once the worker has created it at the processor (it has an address)."""
    return wait_for(lambda: (invoice := invoice_of(reference)).processor_id and invoice, timeout=timeout)


def pay(reference: str, amount=None, *, confirm: bool = True) -> Invoice:
    """Send ``amount`` (default: exactly what is due), mine enough blocks, sync."""
    invoice = submitted(reference)
    _control(f"invoices/{invoice.processor_id}/pay", {"amount": str(amount if amount is not None else invoice.amount_due)})
    if confirm:
        _control("mine", {"blocks": max(1, invoice.coin.confirmations_required)})
    return invoice_sync(invoice=invoice_of(reference))


def expire(reference: str) -> Invoice:
    invoice = submitted(reference)
    _control(f"invoices/{invoice.processor_id}/expire")
    return invoice_sync(invoice=invoice_of(reference))


