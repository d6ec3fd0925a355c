"""The crypto payment processor over HTTP, modelled on BTCPay Server's Greenfield API.

PAYMENT_API_URL (empty: the processor sandbox started in-process), PAYMENT_API_KEY (sent as
``Authorization: token <key>``), PAYMENT_STORE_ID. Answers become small typed values; transport
errors, timeouts, 5xx and 429 become ProcessorUnavailable (retry later), other 4xx
ProcessorRejected, and so does an answer missing what we rely on (a refund's claim link). A refund
is a pull payment: the traveller claims it on its ``viewLink``; its payouts tell how far it got.
The sandbox-only controls (pay, mine) used by the "simulate payment" form
live here too, so that nothing else speaks the sandbox's HTTP.
"""
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from django.conf import settings

from bookings.payments.errors import ProcessorNotFound, ProcessorRejected, ProcessorUnavailable
from core.http_client import outside_http

_webhook_registered: set[str] = set()


@dataclass(frozen=True)
class RemotePayment:
    txid: str
    amount: Decimal
    confirmations: int
    after_expiration: bool
    received_at: datetime


@dataclass(frozen=True)
class RemoteInvoice:
    id: str
    order_id: str
    status: str  # New, Processing, Settled, Expired, Invalid
    additional_status: str  # None, PaidPartial, PaidOver, PaidLate, Marked, Invalid
    address: str = ""
    payment_link: str = ""
    payments: tuple[RemotePayment, ...] = ()


@dataclass(frozen=True)
class RemotePayout:
    id: str
    state: str  # AwaitingApproval, AwaitingPayment, InProgress, Completed, Cancelled
    amount: Decimal
    txid: str = ""


@dataclass(frozen=True)
class RemotePullPayment:
    id: str
    view_link: str
    amount: Decimal
    currency: str
    payouts: tuple[RemotePayout, ...] = ()


def webhook_url() -> str:
    return settings.PAYMENT_WEBHOOK_URL or settings.SITE_URL.rstrip("/") + "/webhooks/payments/"


def processor_base_url() -> str:
    if settings.PAYMENT_API_URL:
        return settings.PAYMENT_API_URL.rstrip("/")
    from sandboxes.embedded import sandbox_url

    url = sandbox_url("payments")
    if url not in _webhook_registered:
        # Embedded mode: the in-process sandbox delivers its webhooks to this running site.
        _request("POST", f"{url}/api/v1/stores/{settings.PAYMENT_STORE_ID}/webhooks",
                 json={"url": webhook_url(), "secret": settings.PAYMENT_WEBHOOK_SECRET})
        _webhook_registered.add(url)
    return url


def _request(method: str, url: str, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"token {settings.PAYMENT_API_KEY}"}
    try:
        response = outside_http().request(method, url, headers=headers, timeout=settings.OUTSIDE_HTTP_TIMEOUT,
                                 **kwargs)
    except httpx.HTTPError as exc:
        raise ProcessorUnavailable(f"The payment processor is unreachable: {exc!r}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise ProcessorUnavailable(f"The payment processor answered {response.status_code}.")
    if response.status_code >= 400:
        try:
            detail = response.json().get("message") or response.json().get("error") or response.text
        except ValueError:
            detail = response.text
        error = ProcessorNotFound if response.status_code == 404 else ProcessorRejected
        raise error(f"The payment processor refused ({response.status_code}): {detail}")
    return response


def _store_url(path: str = "") -> str:
    return f"{processor_base_url()}/api/v1/stores/{settings.PAYMENT_STORE_ID}{path}"


def _when(unix) -> datetime:
    return datetime.fromtimestamp(int(unix), tz=UTC)


def _invoice(data: dict, methods: list | None = None) -> RemoteInvoice:
    method = (methods or [{}])[0]
    payments = tuple(
        RemotePayment(
            txid=str(p["id"]), amount=Decimal(str(p["value"])), confirmations=int(p.get("confirmations", 0)),
            after_expiration=bool(p.get("afterExpiration", False)), received_at=_when(p["receivedDate"]),
        )
        for p in method.get("payments", [])
    )
    return RemoteInvoice(
        id=data["id"], order_id=(data.get("metadata") or {}).get("orderId", ""), status=data["status"],
        additional_status=data.get("additionalStatus") or "None", address=method.get("destination", ""),
        payment_link=method.get("paymentLink", ""), payments=payments,
    )


def invoice_find(*, order_id: str) -> RemoteInvoice | None:
    found = _request("GET", _store_url("/invoices"), params={"orderId": order_id}).json()
    return _invoice(found[0]) if found else None


def invoice_create(*, order_id: str, amount: Decimal, currency: str, expiration_minutes: float,
                   monitoring_minutes: int, confirmations: int) -> RemoteInvoice:
    data = _request("POST", _store_url("/invoices"), json={
        "amount": str(amount), "currency": currency, "metadata": {"orderId": order_id},
        "checkout": {"expirationMinutes": expiration_minutes, "monitoringMinutes": monitoring_minutes,
                     "speedPolicy": "LowSpeed" if confirmations > 1 else "MediumSpeed"},
        "requiredConfirmations": confirmations,
    }).json()
    return _invoice(data)


def invoice_get(*, invoice_id: str) -> RemoteInvoice:
    """The invoice with its address and every payment (GET invoice + GET payment-methods)."""
    data = _request("GET", _store_url(f"/invoices/{invoice_id}")).json()
    methods = _request("GET", _store_url(f"/invoices/{invoice_id}/payment-methods")).json()
    return _invoice(data, methods)


def _required(data, *keys: str, what: str) -> dict:
    """``data`` when it is an object carrying every key with a value; else ProcessorRejected."""
    missing = [k for k in keys if not isinstance(data, dict) or data.get(k) in (None, "")]
    if missing:
        raise ProcessorRejected(f"The payment processor's {what} has no {', '.join(missing)}.")
    return data


def _pull_payment(data, payouts=()) -> RemotePullPayment:
    data = _required(data, "id", "viewLink", "amount", "currency", what="refund (pull payment)")
    if not str(data["viewLink"]).startswith(("https://", "http://")):
        raise ProcessorRejected(f"The payment processor's refund claim link is not a URL: {data['viewLink']!r}.")
    return RemotePullPayment(id=str(data["id"]), view_link=str(data["viewLink"]), amount=Decimal(str(data["amount"])),
                             currency=str(data["currency"]), payouts=tuple(_payout(p) for p in payouts))


def _payout(data) -> RemotePayout:
    data = _required(data, "id", "state", "originalAmount", what="payout")
    proof = data.get("paymentProof") or {}
    return RemotePayout(id=str(data["id"]), state=str(data["state"]), amount=Decimal(str(data["originalAmount"])),
                        txid=str(proof.get("transactionId") or "") if isinstance(proof, dict) else "")


def refund_send(*, invoice_id: str, name: str, amount: Decimal, currency: str, description: str) -> RemotePullPayment:
    """Refund ``amount`` of an invoice as a pull payment the traveller claims on its link."""
    data = _request("POST", _store_url(f"/invoices/{invoice_id}/refund"), json={
        "name": name, "description": description, "refundVariant": "Custom",
        "customAmount": str(amount), "customCurrency": currency, "paymentMethod": currency,
    }).json()
    return _pull_payment(data)


def pull_payment_get(*, pull_payment_id: str) -> RemotePullPayment:
    """A refund's pull payment with its payouts (GET the pull payment + GET its payouts)."""
    data = _request("GET", _store_url(f"/pull-payments/{pull_payment_id}")).json()
    payouts = _request("GET", f"{processor_base_url()}/api/v1/pull-payments/{pull_payment_id}/payouts").json()
    if not isinstance(payouts, list):
        raise ProcessorRejected("The payment processor's payouts are not a list.")
    return _pull_payment(data, payouts)


# --- sandbox controls (only ever used against the sandbox processor) ---------------------------
def sandbox_pay(*, invoice_id: str, amount: Decimal) -> str:
    return _request("POST", f"{processor_base_url()}/_sandbox/invoices/{invoice_id}/pay",
                    json={"amount": str(amount)}).json()["txid"]


def sandbox_mine(*, blocks: int) -> None:
    _request("POST", f"{processor_base_url()}/_sandbox/mine", json={"blocks": blocks})
