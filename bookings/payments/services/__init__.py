"""The writers of crypto checkout (one function per use case). See the modules for the detail."""
from bookings.payments.services.invoices import (
    invoice_open,
    invoice_poll,
    invoice_reconcile,
    invoice_submit,
    invoice_sync,
    invoices_sweep,
)
from bookings.payments.services.refunds import refund_create, refund_submit, refunds_requeue_stuck
from bookings.payments.services.webhooks import webhook_process, webhook_receive

__all__ = ["invoice_open", "invoice_poll", "invoice_reconcile", "invoice_submit", "invoice_sync", "invoices_sweep",
           "refund_create", "refund_submit", "refunds_requeue_stuck", "webhook_process", "webhook_receive"]
