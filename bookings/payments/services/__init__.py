"""The writers of crypto checkout (one function per use case). See the modules for the detail."""
from bookings.payments.services.claims import refund_claim_refresh, refund_claims_refresh
from bookings.payments.services.credit import credit_grant, credit_return, credit_return_on_end, credit_spend
from bookings.payments.services.invoices import (
    invoice_open,
    invoice_poll,
    invoice_reconcile,
    invoice_submit,
    invoice_sync,
    invoices_sweep,
)
from bookings.payments.services.refunds import excess_return, refund_create, refund_submit, refunds_requeue_stuck
from bookings.payments.services.webhooks import webhook_process, webhook_receive

__all__ = ["credit_grant", "credit_return", "credit_return_on_end", "credit_spend", "excess_return",
           "invoice_open", "invoice_poll", "invoice_reconcile", "invoice_submit", "invoice_sync", "invoices_sweep",
           "refund_claim_refresh", "refund_claims_refresh", "refund_create", "refund_submit", "refunds_requeue_stuck", "webhook_process", "webhook_receive"]
