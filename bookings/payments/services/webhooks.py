"""Processor webhooks: verify, store as received (once per delivery id), then act.

A delivery is acted on by syncing its invoice from the processor (GET invoice): the webhook says
*that* something happened, the processor's own answer says *what*. So a forged body can change
nothing even in theory, and a replayed delivery is stored once and acted on once.
"""
import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.payments.errors import ProcessorUnavailable, WebhookRejected
from bookings.payments.models import Invoice, WebhookDelivery
from bookings.payments.serializers import WebhookEvent
from bookings.payments.services.invoices import SYNC, invoice_enqueue, invoice_sync
from core.api import first_error

logger = logging.getLogger(__name__)


def signature_for(body: bytes, secret: str | None = None) -> str:
    secret = settings.PAYMENT_WEBHOOK_SECRET if secret is None else secret
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_receive(*, body: bytes, signature: str) -> tuple[WebhookDelivery, bool]:
    """Verify and store one delivery. Returns (delivery, is_new). Raises WebhookRejected."""
    if not signature or not hmac.compare_digest(signature_for(body).encode(), signature.strip().encode()):
        raise WebhookRejected("The webhook signature does not match.", status=401)
    event = _event(body)
    delivery_id, kind, sent = event["delivery_id"], event["kind"], event["sent"]
    if abs(time.time() - sent) > settings.PAYMENT_WEBHOOK_MAX_AGE:
        raise WebhookRejected("The webhook is too old (or from the future): refused as a possible replay.",
                              status=400)
    existing = WebhookDelivery.objects.filter(delivery_id=delivery_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                delivery_id=delivery_id, event_type=kind,
                processor_invoice_id=event["invoice_id"],
                body=body.decode("utf-8", "replace"),
                sent_at=datetime.fromtimestamp(sent, tz=UTC),
            )
    except IntegrityError:  # the same delivery arriving concurrently: the other request stored it
        return WebhookDelivery.objects.get(delivery_id=delivery_id), False
    return delivery, True


def _event(body: bytes) -> dict:
    """The whole body checked (WebhookEvent) before anything is stored; WebhookRejected (400) if
    it is not a well-formed processor event."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, or nested beyond parsing
        raise WebhookRejected("The webhook body is not a processor event (not JSON).", status=400) from exc
    event = WebhookEvent(data=data)
    if not event.is_valid():
        field, message = first_error(event.errors)
        raise WebhookRejected(f"The webhook body is not a processor event ({field or 'body'}: {message})",
                              status=400)
    return event.validated_data


def webhook_process(*, delivery: WebhookDelivery) -> str:
    """Act on a stored delivery: sync its invoice. If the processor cannot be asked now, the
    sync is queued (and retried) instead. Returns what happened."""
    if delivery.event_type == "InvoiceCreated":  # our own submit just did that; nothing to learn
        WebhookDelivery.objects.filter(pk=delivery.pk).update(processed_at=timezone.now(), outcome="noted")
        return "noted"
    invoice = Invoice.objects.filter(processor_id=delivery.processor_invoice_id).first() if \
        delivery.processor_invoice_id else None
    if invoice is None:
        try:
            order_id = (json.loads(delivery.body).get("metadata") or {}).get("orderId", "")
        except ValueError:
            order_id = ""
        invoice = Invoice.objects.filter(reference=order_id).first() if order_id else None
    if invoice is None:
        outcome = "no such invoice here: ignored"
    else:
        try:
            invoice = invoice_sync(invoice=invoice)
            outcome = f"invoice {invoice.reference}: {invoice.status} {invoice.exception}".strip()
        except ProcessorUnavailable:
            invoice_enqueue(task=SYNC, invoice_id=invoice.pk)
            outcome = "processor unavailable: sync queued"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(processed_at=timezone.now(), outcome=outcome[:200])
    return outcome
