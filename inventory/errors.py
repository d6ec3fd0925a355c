"""What inventory services refuse with. Each carries a message for the traveller or staff and
a code; the family is a conflict with the current state of the nights (HTTP 409 in the API),
except ``Busy``, which is contention that passes (503 with Retry-After: try again)."""
from core.errors import Category, DomainError


class InventoryError(DomainError):
    code = "inventory_error"
    category = Category.CONFLICT


class SoldOut(InventoryError):
    code = "sold_out"


class Busy(InventoryError):
    """Other writers kept winning; the caller may try again."""

    code = "busy"
    category = Category.UNAVAILABLE

    def details(self) -> dict:
        return {"retry_after": 1}


class RestrictionViolated(InventoryError):
    code = "restricted"


class VersionConflict(InventoryError):
    """A staff edit was based on a version someone else changed meanwhile."""

    code = "conflict"
