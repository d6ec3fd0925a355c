"""What can go wrong in crypto checkout, as errors a caller can show (``.message``) and branch on
(``.code``). ``retryable`` says whether trying again later may succeed; ``category`` is how the
API answers (the family is the caller's input unless a subclass says otherwise)."""
from core.errors import Category, DomainError


class PaymentError(DomainError):
    code = "payment_error"
    category = Category.VALIDATION
    retryable = False


class CoinUnavailable(PaymentError):
    code = "coin_unavailable"


class AmountInvalid(PaymentError):
    code = "amount_invalid"


class RatesUnavailable(PaymentError):
    code = "rates_unavailable"
    category = Category.UNAVAILABLE
    retryable = True


class ProcessorUnavailable(PaymentError):
    code = "processor_unavailable"
    category = Category.UNAVAILABLE
    retryable = True


class ProcessorRejected(PaymentError):
    """The processor refused the call: nothing the traveller typed can fix it."""

    code = "processor_rejected"
    category = Category.UNAVAILABLE


class ProcessorNotFound(ProcessorRejected):
    """The processor does not know this invoice (the in-memory sandbox was restarted)."""

    code = "processor_not_found"


class InvoiceNotFound(PaymentError):
    code = "invoice_not_found"
    category = Category.NOT_FOUND


class RefundRefused(PaymentError):
    code = "refund_refused"
    category = Category.CONFLICT


class CreditRefused(PaymentError):
    """A credit movement that cannot be made (not enough credit, not whole cents)."""

    code = "credit_refused"


class WebhookRejected(PaymentError):
    """A webhook we must not act on. ``status`` is the HTTP answer (401 forged, 400 malformed/stale)."""

    code = "webhook_rejected"

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status
