"""What can go wrong when we talk to a supplier, in the three ways callers must treat differently.

The family is a supplier that cannot answer now (HTTP 503 in the API); a refusal for good means
the offer is gone (410)."""
from core.errors import Category, DomainError


class SupplierError(DomainError):
    code = "supplier_unavailable"
    category = Category.UNAVAILABLE
    retryable = False

    def __init__(self, message: str):
        super().__init__(message)


class SupplierUnavailable(SupplierError):
    """Timeout, connection failure or 5xx: try again later."""

    retryable = True


class SupplierRateLimited(SupplierError):
    """429: the supplier asks us to wait ``retry_after`` seconds."""

    code = "supplier_rate_limited"
    retryable = True

    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after

    def details(self) -> dict:
        return {"retry_after": self.retry_after}


class SupplierRefused(SupplierError):
    """The supplier said no for good: the offer is gone, unknown or the request invalid."""

    code = "supplier_refused"
    category = Category.GONE


class InvalidCriteria(DomainError, ValueError):
    """Search criteria we cannot send (missing, unparseable); a traveller-readable message."""

    code = "invalid_criteria"
    category = Category.VALIDATION
