"""What can go wrong in crypto checkout, as errors a caller can show (``.message``) and branch on
(``.code``). ``retryable`` says whether trying again later may succeed."""


class PaymentError(Exception):
    code = "payment_error"
    retryable = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CoinUnavailable(PaymentError):
    code = "coin_unavailable"


class AmountInvalid(PaymentError):
    code = "amount_invalid"


class RatesUnavailable(PaymentError):
    code = "rates_unavailable"
    retryable = True


class ProcessorUnavailable(PaymentError):
    code = "processor_unavailable"
    retryable = True


class ProcessorRejected(PaymentError):
    code = "processor_rejected"


class ProcessorNotFound(ProcessorRejected):
    """The processor does not know this invoice (the in-memory sandbox was restarted)."""

    code = "processor_not_found"


class InvoiceNotFound(PaymentError):
    code = "invoice_not_found"


class RefundRefused(PaymentError):
    code = "refund_refused"


class WebhookRejected(PaymentError):
    """A webhook we must not act on. ``status`` is the HTTP answer (401 forged, 400 malformed/stale)."""

    code = "webhook_rejected"

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status
