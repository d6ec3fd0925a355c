"""The HTTP adapters: one per kind of product, all over one httpx client with timeouts.

Each adapter turns normalised criteria into the supplier's request and the answer into Offers.
Every failure leaves here as one of the three errors in ``suppliers.errors``.
"""
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from django.conf import settings

from core.http_client import outside_http
from suppliers.errors import SupplierRateLimited, SupplierRefused, SupplierUnavailable
from suppliers.types import Offer, SupplierBooking, SupplierCancellation


def base_url() -> str:
    url = settings.SUPPLIER_API_URL
    if not url:
        from sandboxes.embedded import sandbox_url  # embedded mode: the shipped sandbox, in-process

        url = sandbox_url("suppliers")
    return url.rstrip("/")


def request(method: str, path: str, *, timeout: float, params: dict | None = None, json: dict | None = None) -> dict:
    try:
        response = outside_http().request(method, base_url() + path, params=params, json=json, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise SupplierUnavailable(f"The supplier did not answer within {timeout:g}s.") from exc
    except httpx.TransportError as exc:
        raise SupplierUnavailable(f"The supplier cannot be reached ({exc.__class__.__name__}).") from exc
    status = response.status_code
    if status == 429:
        raise SupplierRateLimited("The supplier is rate limiting us.", retry_after=_retry_after(response))
    if status >= 500:
        raise SupplierUnavailable(f"The supplier answered {status}.")
    if status >= 400:
        raise SupplierRefused(_error_text(response))
    try:
        return response.json()
    except ValueError as exc:
        raise SupplierUnavailable("The supplier answered with something that is not JSON.") from exc


def _retry_after(response: httpx.Response) -> int:
    try:
        return max(1, int(float(response.headers.get("Retry-After", "1"))))
    except ValueError:
        return 1


def _error_text(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error") or f"refused ({response.status_code})")
    except ValueError:
        return f"refused ({response.status_code})"


@dataclass(frozen=True)
class Adapter:
    kind: str
    search_path: str

    def search(self, criteria: dict) -> list[Offer]:
        data = request("GET", self.search_path, params=criteria, timeout=settings.SUPPLIER_SEARCH_TIMEOUT)
        try:
            return [Offer.from_dict(o) for o in data["offers"] if o.get("kind") == self.kind]
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise SupplierUnavailable("The supplier's offers could not be read.") from exc

    def offer(self, offer_id: str) -> Offer:
        data = request("GET", f"/offers/{quote(offer_id, safe='')}", timeout=settings.OUTSIDE_HTTP_TIMEOUT)
        try:
            offer = Offer.from_dict(data)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise SupplierUnavailable("The supplier's offer could not be read.") from exc
        if offer.kind != self.kind:
            raise SupplierRefused(f"Offer {offer_id} is not a {self.kind} offer.")
        return offer

    def book(self, *, offer_id: str, reference: str, traveller: dict) -> SupplierBooking:
        data = request("POST", "/bookings", timeout=settings.OUTSIDE_HTTP_TIMEOUT,
                       json={"kind": self.kind, "offer_id": offer_id, "reference": reference, "traveller": traveller})
        return _booking(data)

    def booking_status(self, supplier_ref: str) -> SupplierBooking:
        return _booking(request("GET", f"/bookings/{quote(supplier_ref, safe='')}", timeout=settings.OUTSIDE_HTTP_TIMEOUT))

    def cancel(self, supplier_ref: str) -> SupplierCancellation:
        data = request("POST", f"/bookings/{quote(supplier_ref, safe='')}/cancel",
                       timeout=settings.OUTSIDE_HTTP_TIMEOUT, json={"kind": self.kind})
        try:
            return SupplierCancellation.from_dict(data)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise SupplierUnavailable(f"The supplier's cancellation answer could not be read: {data!r}.") from exc


def _booking(data: dict) -> SupplierBooking:
    status = data.get("status")
    if status not in ("confirmed", "pending", "cancelled") or not data.get("supplier_ref"):
        raise SupplierUnavailable(f"The supplier's booking answer could not be read: {data!r}.")
    return SupplierBooking(supplier_ref=str(data["supplier_ref"]), status=status)


ADAPTERS = {
    "hotel": Adapter("hotel", "/hotels"),
    "flight": Adapter("flight", "/flights"),
    "activity": Adapter("activity", "/activities"),
}


def adapter_for(kind: str) -> Adapter:
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise SupplierRefused(f"No supplier sells {kind!r}.") from None
