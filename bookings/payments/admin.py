"""Staff views of the coin registry, invoices with their ledger, webhook deliveries and refunds.

Invoices, payments and deliveries are written by the services only: read-only here. All of it is
the platform's (superusers); hotel staff never see payments of any hotel here. A crypto refund
shows how far its claim got, never its claim link: that is the traveller's alone (whoever holds
it can claim the money)."""
from django.contrib import admin

from bookings.payments.models import ChainPayment, Coin, Invoice, Refund, WebhookDelivery
from core.admin import PlatformAdmin, WrittenByServicesMixin


@admin.register(Coin)
class CoinAdmin(PlatformAdmin):
    list_display = ["code", "symbol", "name", "network", "decimals", "confirmations_required",
                    "minimum_amount", "active"]
    list_filter = ["active", "network"]
    list_editable = ["active", "confirmations_required"]
    search_fields = ["code", "symbol", "name", "network"]


class ChainPaymentInline(WrittenByServicesMixin, admin.TabularInline):
    model = ChainPayment
    extra = 0
    readonly_fields = ["txid", "amount", "confirmations", "after_expiration", "received_at", "recorded_at"]


class RefundInline(WrittenByServicesMixin, admin.TabularInline):
    model = Refund
    extra = 0
    fields = readonly_fields = ["method", "fiat_amount", "crypto_amount", "reason", "status", "claim_state",
                                "created_at"]


@admin.register(Invoice)
class InvoiceAdmin(WrittenByServicesMixin, PlatformAdmin):
    list_display = ["reference", "coin", "amount_due", "amount_paid", "status", "exception", "expires_at"]
    list_filter = ["status", "exception", "coin__network"]
    search_fields = ["reference", "processor_id", "address"]
    inlines = [ChainPaymentInline, RefundInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WrittenByServicesMixin, PlatformAdmin):
    list_display = ["delivery_id", "event_type", "processor_invoice_id", "received_at", "processed_at",
                    "outcome"]
    list_filter = ["event_type"]
    search_fields = ["delivery_id", "processor_invoice_id"]


@admin.register(Refund)
class RefundAdmin(WrittenByServicesMixin, PlatformAdmin):
    list_display = ["reference", "method", "fiat_amount", "crypto_amount", "status", "claim_state", "created_at"]
    list_filter = ["method", "status", "claim_state"]
    search_fields = ["reference", "processor_refund_id"]
    exclude = ["claim_link"]
    readonly_fields = ["reference", "invoice", "method", "fiat_amount", "crypto_amount", "reason", "status",
                       "processor_refund_id", "claim_state", "payout_txid", "claim_checked_at", "paid_out_at",
                       "last_error", "created_at", "completed_at"]
