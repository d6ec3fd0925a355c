"""Staff views of the coin registry, invoices with their ledger, webhook deliveries and refunds.

Invoices, payments and deliveries are written by the services only: read-only here."""
from django.contrib import admin

from bookings.payments.models import ChainPayment, Coin, Invoice, Refund, WebhookDelivery


@admin.register(Coin)
class CoinAdmin(admin.ModelAdmin):
    list_display = ["code", "symbol", "name", "network", "decimals", "confirmations_required",
                    "minimum_amount", "active"]
    list_filter = ["active", "network"]
    list_editable = ["active", "confirmations_required"]
    search_fields = ["code", "symbol", "name", "network"]


class ChainPaymentInline(admin.TabularInline):
    model = ChainPayment
    extra = 0
    can_delete = False
    readonly_fields = ["txid", "amount", "confirmations", "after_expiration", "received_at", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    readonly_fields = ["method", "fiat_amount", "crypto_amount", "reason", "status", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["reference", "coin", "amount_due", "amount_paid", "status", "exception", "expires_at"]
    list_filter = ["status", "exception", "coin__network"]
    search_fields = ["reference", "processor_id", "address"]
    inlines = [ChainPaymentInline, RefundInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["delivery_id", "event_type", "processor_invoice_id", "received_at", "processed_at",
                    "outcome"]
    list_filter = ["event_type"]
    search_fields = ["delivery_id", "processor_invoice_id"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["reference", "method", "fiat_amount", "crypto_amount", "status", "created_at"]
    list_filter = ["method", "status"]
    search_fields = ["reference"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Refund._meta.fields]

    def has_add_permission(self, request):
        return False
