"""What inventory services refuse with. Each carries a message for the traveller or staff,
and a code the API turns into an HTTP status (sold_out/busy: 409, invalid: 400)."""


class InventoryError(Exception):
    code = "inventory_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SoldOut(InventoryError):
    code = "sold_out"


class Busy(InventoryError):
    """Other writers kept winning; the caller may try again."""

    code = "busy"


class RestrictionViolated(InventoryError):
    code = "restricted"


class VersionConflict(InventoryError):
    """A staff edit was based on a version someone else changed meanwhile."""

    code = "conflict"
