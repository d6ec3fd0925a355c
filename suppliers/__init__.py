"""Third-party suppliers of hotels, flights and activities (contract H3 in docs/contracts.md).

    from suppliers import search_offers, offer_get, supplier_book, supplier_booking_status, supplier_cancel
    from suppliers.errors import SupplierUnavailable, SupplierRateLimited, SupplierRefused

Layout: ``client`` (HTTP adapters per kind), ``criteria`` (normalised cache keys), ``cache``
(TTL, stampede protection, counters), ``selectors`` (reads), ``services`` (writes).
"""
from suppliers.selectors import offer_get, search_offers, supplier_booking_status, supplier_cache_stats
from suppliers.services import supplier_book, supplier_cancel
from suppliers.types import Offer, SearchResult, SupplierBooking, SupplierCancellation

__all__ = ["search_offers", "offer_get", "supplier_book", "supplier_cancel", "supplier_booking_status",
           "supplier_cache_stats", "Offer", "SearchResult", "SupplierBooking", "SupplierCancellation"]
