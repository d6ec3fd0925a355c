"""Writes towards suppliers: booking an offer, cancelling a booking; resetting the cache counters (benchmarks, admin)."""
from suppliers import cache as offer_cache
from suppliers.client import adapter_for
from suppliers.errors import SupplierRefused
from suppliers.types import KINDS, SupplierBooking, SupplierCancellation


def supplier_book(*, kind: str, offer_id: str, reference: str, traveller: dict) -> SupplierBooking:
    """Book the offer at the supplier. Idempotent on ``reference``: retrying after a timeout
    (SupplierUnavailable) returns the same supplier booking, never a second one. Call it outside
    any database transaction (never hold a lock across the network)."""
    if not offer_id or not reference:
        raise SupplierRefused("An offer id and a booking reference are required.")
    if not isinstance(traveller, dict) or not (traveller.get("name") or traveller.get("email")):
        raise SupplierRefused("The traveller's name or email is required.")
    return adapter_for(kind).book(offer_id=offer_id, reference=reference, traveller=traveller)


def supplier_cancel(*, kind: str, supplier_ref: str) -> SupplierCancellation:
    """Cancel a booking at the supplier; it refunds by the offer's terms (the answer says how
    much, and the fee it keeps). Idempotent: cancelling again answers the same cancellation.
    Raises SupplierUnavailable / SupplierRateLimited (try again) or SupplierRefused (the
    supplier will not cancel, or knows no such booking). Call it outside any transaction."""
    if not supplier_ref:
        raise SupplierRefused("A supplier booking reference is required.")
    return adapter_for(kind).cancel(supplier_ref)


def supplier_cache_stats_reset() -> None:
    offer_cache.reset_counters(KINDS)
