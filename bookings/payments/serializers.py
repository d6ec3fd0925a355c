"""The processor's webhook body, field by field: checked whole before anything is stored, so a
malformed delivery changes nothing and its well-formed retry is still new."""
from rest_framework import serializers

EVENT_TYPES = {"InvoiceCreated", "InvoiceReceivedPayment", "InvoiceProcessing", "InvoiceSettled",
               "InvoiceExpired", "InvoiceInvalid", "InvoicePaymentSettled"}


def _id(max_length: int, **kwargs) -> serializers.CharField:
    # ids as sent (no trimming); DRF's CharField refuses a NUL character
    return serializers.CharField(max_length=max_length, trim_whitespace=False, **kwargs)


# Field names are the processor's own (camelCase); ``source`` gives them our names.
class WebhookMetadata(serializers.Serializer):
    orderId = _id(64, source="order_id", required=False, allow_blank=True)


class WebhookEvent(serializers.Serializer):
    """The fields we read (others, such as webhookId or isRedelivery, are kept in the stored body)."""

    deliveryId = _id(100, source="delivery_id")
    type = serializers.ChoiceField(choices=sorted(EVENT_TYPES), source="kind",
                                   error_messages={"invalid_choice": "Unknown webhook event {input!r}."})
    timestamp = serializers.FloatField(source="sent", help_text="Unix time the processor sent it (finite).")
    invoiceId = _id(64, source="invoice_id", required=False, allow_blank=True, default="")
    storeId = _id(100, required=False, allow_blank=True)
    metadata = WebhookMetadata(required=False, allow_null=True)
