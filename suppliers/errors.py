"""What can go wrong when we talk to a supplier, in the three ways callers must treat differently."""


class SupplierError(Exception):
    retryable = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SupplierUnavailable(SupplierError):
    """Timeout, connection failure or 5xx: try again later."""

    retryable = True


class SupplierRateLimited(SupplierError):
    """429: the supplier asks us to wait ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


class SupplierRefused(SupplierError):
    """The supplier said no for good: the offer is gone, unknown or the request invalid."""


class InvalidCriteria(ValueError):
    """Search criteria we cannot send (missing, unparseable); a traveller-readable message."""
