"""The values the supplier package hands out: offers, search results, supplier bookings."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

KINDS = ("hotel", "flight", "activity")


@dataclass(frozen=True)
class Offer:
    id: str
    kind: str
    title: str
    price: Decimal  # the total for the whole request (all nights, rooms, passengers), taxes included
    currency: str
    details: dict = field(default_factory=dict)
    supplier: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "Offer":
        return cls(id=str(data["id"]), kind=str(data["kind"]), title=str(data["title"]),
                   price=Decimal(str(data["price"])), currency=str(data["currency"]),
                   details=dict(data.get("details") or {}), supplier=str(data.get("supplier", "")))

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "title": self.title, "price": str(self.price),
                "currency": self.currency, "details": self.details, "supplier": self.supplier}


@dataclass(frozen=True)
class SearchResult:
    kind: str
    criteria: dict  # normalised
    offers: tuple[Offer, ...]
    fetched_at: datetime  # when the supplier answered (earlier than now when served from the cache)
    from_cache: bool


@dataclass(frozen=True)
class SupplierBooking:
    supplier_ref: str
    status: str  # "confirmed" | "pending" | "cancelled"


@dataclass(frozen=True)
class SupplierCancellation:
    """The supplier's answer to a cancellation: what it gives back and what it keeps, by its terms."""

    supplier_ref: str
    refund_amount: Decimal
    fee: Decimal
    currency: str
    terms: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "SupplierCancellation":
        refund, fee = Decimal(str(data["refund_amount"])), Decimal(str(data["fee"]))
        if data.get("status") != "cancelled" or not data.get("supplier_ref") or refund < 0 or fee < 0:
            raise ValueError(f"not a cancellation: {data!r}")
        return cls(supplier_ref=str(data["supplier_ref"]), refund_amount=refund, fee=fee,
                   currency=str(data["currency"]), terms=str(data.get("terms", "")))
