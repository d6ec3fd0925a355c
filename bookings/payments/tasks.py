"""Thin Celery tasks of crypto checkout: load ids, call a service. Retried with backoff while the
processor is unavailable; after the last retry ReliableTask records the dead letter."""
from celery import shared_task
from django.db import OperationalError

from bookings.payments.errors import ProcessorUnavailable
from bookings.payments.models import Invoice, Refund
from bookings.payments.services import (
    credit_return_on_end,
    invoice_submit,
    invoice_sync,
    invoices_sweep,
    refund_claims_refresh,
    refund_submit,
    refunds_requeue_stuck,
)
from core.task_base import ReliableTask

RETRY = dict(base=ReliableTask, autoretry_for=(ProcessorUnavailable,), max_retries=8)


@shared_task(name="payments.submit_invoice", **RETRY)
def submit_invoice(*, invoice_id: int) -> str:
    invoice = invoice_submit(invoice=Invoice.objects.get(pk=invoice_id))
    return invoice.processor_id


@shared_task(name="payments.sync_invoice", **RETRY)
def sync_invoice(*, invoice_id: int) -> str:
    invoice = invoice_sync(invoice=Invoice.objects.get(pk=invoice_id))
    return invoice.status


@shared_task(name="payments.submit_refund", **RETRY)
def submit_refund(*, refund_id: int) -> str:
    return refund_submit(refund=Refund.objects.get(pk=refund_id)).status


@shared_task(name="payments.sweep_invoices", base=ReliableTask)
def sweep_invoices() -> dict:
    return invoices_sweep()


@shared_task(name="payments.requeue_refunds", base=ReliableTask, max_retries=0)
def requeue_refunds() -> int:
    return refunds_requeue_stuck()


@shared_task(name="payments.refresh_refund_claims", base=ReliableTask, max_retries=0)
def refresh_refund_claims() -> dict:
    return refund_claims_refresh()


@shared_task(name="payments.on_booking_ended", base=ReliableTask, autoretry_for=(OperationalError,))
def on_booking_ended(*, message_id=None, topic="", key="", payload) -> bool:
    """booking.expired / .failed / .cancelled: give back the platform credit it spent, if due."""
    entry = credit_return_on_end(booking_reference=payload["reference"], topic=topic,
                                 refund_method=payload.get("refund_method", ""))
    return entry is not None
