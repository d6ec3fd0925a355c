"""Sandbox crypto payment processor, shaped like BTCPay Server's Greenfield API, with a simulated chain.

Greenfield-style API (``Authorization: token <PAYMENT_API_KEY>``):

    POST /api/v1/stores/{store}/invoices                  create {amount, currency, metadata.orderId,
                                                           checkout.expirationMinutes/monitoringMinutes,
                                                           requiredConfirmations (sandbox extension)}
    GET  /api/v1/stores/{store}/invoices?orderId=REF      find by order id (makes creation idempotent)
    GET  /api/v1/stores/{store}/invoices/{id}             the invoice (status, additionalStatus)
    GET  /api/v1/stores/{store}/invoices/{id}/payment-methods   address, due, paid, payments (with
                                                           confirmations and afterExpiration)
    POST /api/v1/stores/{store}/invoices/{id}/refund      a refund (deduplicated on ``name``)
    POST /api/v1/stores/{store}/webhooks                  {url, secret}: where signed webhooks go

Webhooks: JSON body with deliveryId, webhookId, type (InvoiceCreated, InvoiceReceivedPayment,
InvoiceProcessing, InvoiceSettled, InvoiceExpired, InvoiceInvalid, InvoicePaymentSettled),
timestamp (unix), storeId, invoiceId, metadata; header ``BTCPay-Sig: sha256=<hex hmac of body>``.
Without a registered webhook they go to $PAYMENT_WEBHOOK_URL or $SITE_URL/webhooks/payments/ (if
set), signed with $PAYMENT_WEBHOOK_SECRET. Deliveries caused by a control call are made before the
call answers (deterministic tests); those noticed lazily (an invoice found expired on a GET) go
out from a background thread.

Sandbox controls (no auth):

    POST /_sandbox/invoices/{id}/pay {amount, txid?}   a transaction seen in the mempool
    POST /_sandbox/mine {blocks}                       every payment gains ``blocks`` confirmations
    POST /_sandbox/invoices/{id}/expire                expire it now
    POST /_sandbox/invoices/{id}/advance {seconds}     move the invoice's clock forward
    POST /_sandbox/invoices/{id}/invalidate            mark it invalid
    POST /_sandbox/webhook {url, secret}               same as registering a webhook
    GET  /_sandbox/deliveries                          every webhook delivery and its outcome
    POST /_sandbox/deliveries/{deliveryId}/resend      send the same bytes and signature again
    POST /_sandbox/config {"extra": {"webhooks_off": true}}   lose webhooks (polling must cope)
"""
import hashlib
import hmac
import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

from sandboxes.http import App, Response

STORE_ID = "sandbox-store"


def _now() -> float:
    return time.time()


class Processor(App):
    def __init__(self):
        super().__init__("payments")
        self.state_lock = threading.RLock()
        self._clear()

    def _clear(self):
        with self.state_lock:
            self.invoices: dict[str, dict] = {}
            self.by_order: dict[str, str] = {}
            self.refunds: dict[str, dict] = {}
            self.deliveries: list[dict] = []
            self.webhook: dict | None = None
            self.sequence = itertools.count(1)
            self.tx_sequence = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        self._clear()

    # --- webhooks ---------------------------------------------------------------------------
    def webhook_target(self) -> tuple[str, str] | None:
        if self.webhook:
            return self.webhook["url"], self.webhook["secret"]
        url = os.environ.get("PAYMENT_WEBHOOK_URL") or (
            os.environ["SITE_URL"].rstrip("/") + "/webhooks/payments/" if os.environ.get("SITE_URL") else ""
        )
        if not url:
            return None
        return url, os.environ.get("PAYMENT_WEBHOOK_SECRET", "sandbox-webhook-secret")

    def event(self, invoice: dict, kind: str, **fields) -> dict:
        n = next(self.sequence)
        body = {
            "deliveryId": f"dlv_{invoice['id']}_{n}",
            "webhookId": (self.webhook or {}).get("id", "default"),
            "originalDeliveryId": None,
            "isRedelivery": False,
            "type": kind,
            "timestamp": int(_now()),
            "storeId": STORE_ID,
            "invoiceId": invoice["id"],
            "metadata": invoice["metadata"],
            **fields,
        }
        return body

    def deliver(self, events: list[dict]) -> None:
        for body in events:
            raw = json.dumps(body).encode()
            record = {"deliveryId": body["deliveryId"], "type": body["type"], "invoiceId": body["invoiceId"],
                      "body": raw.decode(), "signature": "", "url": "", "status": None, "error": ""}
            with self.state_lock:
                self.deliveries.append(record)
            if self.behaviour.extra.get("webhooks_off"):
                record["error"] = "dropped (webhooks_off)"
                continue
            target = self.webhook_target()
            if target is None:
                record["error"] = "no webhook configured"
                continue
            url, secret = target
            record["url"] = url
            record["signature"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            self._post(record)

    @staticmethod
    def _post(record: dict) -> None:
        request = urllib.request.Request(
            record["url"], data=record["body"].encode(), method="POST",
            headers={"Content-Type": "application/json", "BTCPay-Sig": record["signature"]},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                record["status"] = answer.status
        except urllib.error.HTTPError as exc:
            record["status"] = exc.code
        except (OSError, ValueError) as exc:
            record["error"] = repr(exc)

    def deliver_in_background(self, events: list[dict]) -> None:
        if events:
            threading.Thread(target=self.deliver, args=(events,), daemon=True).start()

    # --- the simulated chain ----------------------------------------------------------------------
    @staticmethod
    def clock(invoice: dict) -> float:
        return _now() + invoice["clockOffset"]

    @staticmethod
    def paid_on_time(invoice: dict) -> Decimal:
        return sum((p["value"] for p in invoice["payments"] if not p["afterExpiration"]), Decimal(0))

    def refresh(self, invoice: dict) -> list[dict]:
        """Move the invoice along by its clock and payments; return the webhooks that causes."""
        events = []
        paid = self.paid_on_time(invoice)
        due = invoice["amount"]
        now = self.clock(invoice)
        if invoice["status"] == "New" and paid >= due:
            invoice["status"] = "Processing"
            invoice["additionalStatus"] = "PaidOver" if paid > due else "None"
            events.append(self.event(invoice, "InvoiceProcessing", overPaid=paid > due))
        if invoice["status"] == "New" and now >= invoice["expirationTime"]:
            invoice["status"] = "Expired"
            invoice["additionalStatus"] = "PaidPartial" if paid > 0 else "None"
            events.append(self.event(invoice, "InvoiceExpired", partiallyPaid=paid > 0))
        if invoice["status"] == "Processing":
            on_time = [p for p in invoice["payments"] if not p["afterExpiration"]]
            if all(p["confirmations"] >= invoice["requiredConfirmations"] for p in on_time):
                invoice["status"] = "Settled"
                events.append(self.event(invoice, "InvoiceSettled", overPaid=paid > due,
                                         manuallyMarked=False))
            elif now >= invoice["monitoringExpiration"]:
                invoice["status"] = "Invalid"
                events.append(self.event(invoice, "InvoiceInvalid", manuallyMarked=False))
        return events

    def public(self, invoice: dict) -> dict:
        return {
            "id": invoice["id"], "storeId": STORE_ID, "amount": str(invoice["amount"]),
            "currency": invoice["currency"], "type": "Standard", "status": invoice["status"],
            "additionalStatus": invoice["additionalStatus"], "metadata": invoice["metadata"],
            "createdTime": int(invoice["createdTime"]), "expirationTime": int(invoice["expirationTime"]),
            "monitoringExpiration": int(invoice["monitoringExpiration"]),
            "checkoutLink": f"/i/{invoice['id']}", "requiredConfirmations": invoice["requiredConfirmations"],
        }

    def payment_methods(self, invoice: dict) -> list[dict]:
        paid = sum((p["value"] for p in invoice["payments"]), Decimal(0))
        required = invoice["requiredConfirmations"]
        return [{
            "paymentMethodId": invoice["currency"], "currency": invoice["currency"],
            "destination": invoice["address"],
            "paymentLink": f"{invoice['currency'].lower()}:{invoice['address']}",
            "rate": "1", "amount": str(invoice["amount"]), "totalPaid": str(paid),
            "paymentMethodPaid": str(paid), "due": str(max(invoice["amount"] - paid, Decimal(0))),
            "activated": True,
            "payments": [{
                "id": p["id"], "receivedDate": int(p["receivedDate"]), "value": str(p["value"]), "fee": "0",
                "status": "Settled" if p["confirmations"] >= required else "Processing",
                "destination": invoice["address"], "confirmations": p["confirmations"],
                "afterExpiration": p["afterExpiration"],
            } for p in invoice["payments"]],
        }]


app = Processor()


def _authorized(request) -> bool:
    expected = "token " + os.environ.get("PAYMENT_API_KEY", "sandbox-api-key")
    return hmac.compare_digest(request.headers.get("authorization", ""), expected)


def _unauthorized() -> Response:
    return Response(401, {"code": "unauthenticated", "message": "Authorization: token <api key> required"})


def _invoice_or_404(invoice_id: str):
    invoice = app.invoices.get(invoice_id)
    if invoice is None:
        return None, Response(404, {"code": "invoice-not-found", "message": f"no invoice {invoice_id}"})
    return invoice, None


def _address(currency: str, invoice_id: str) -> str:
    digest = hashlib.sha256(f"{currency}:{invoice_id}".encode()).hexdigest()
    if currency.upper() in ("BTC", "LTC", "BCH", "DOGE", "BTC-LN"):
        return "bcrt1q" + digest[:38]
    return "0x" + digest[:40]


@app.route("POST", r"/api/v1/stores/(?P<store>[^/]+)/invoices")
def create_invoice(request):
    if not _authorized(request):
        return _unauthorized()
    data = request.json()
    amount = Decimal(str(data["amount"]))
    if amount <= 0:
        return Response(400, {"code": "invalid-amount", "message": "amount must be positive"})
    checkout = data.get("checkout") or {}
    now = _now()
    with app.state_lock:
        invoice_id = f"SBX{next(app.sequence):06d}{hashlib.sha1(str(now).encode()).hexdigest()[:6].upper()}"
        invoice = {
            "id": invoice_id, "amount": amount, "currency": str(data["currency"]).upper(),
            "metadata": data.get("metadata") or {}, "status": "New", "additionalStatus": "None",
            "createdTime": now, "clockOffset": 0.0,
            "expirationTime": now + float(checkout.get("expirationMinutes", 15)) * 60,
            "requiredConfirmations": int(data.get("requiredConfirmations", 1)),
            "address": _address(str(data["currency"]), invoice_id), "payments": [],
        }
        invoice["monitoringExpiration"] = invoice["expirationTime"] + float(
            checkout.get("monitoringMinutes", 60)) * 60
        app.invoices[invoice_id] = invoice
        order_id = invoice["metadata"].get("orderId")
        if order_id:
            app.by_order[order_id] = invoice_id
        events = [app.event(invoice, "InvoiceCreated")]
    app.deliver(events)
    return Response(200, app.public(invoice))


@app.route("GET", r"/api/v1/stores/(?P<store>[^/]+)/invoices")
def list_invoices(request):
    if not _authorized(request):
        return _unauthorized()
    order_id = request.query.get("orderId")
    with app.state_lock:
        return [app.public(i) for i in app.invoices.values()
                if not order_id or i["metadata"].get("orderId") == order_id]


def _get_refreshed(invoice_id: str):
    with app.state_lock:
        invoice, missing = _invoice_or_404(invoice_id)
        if missing:
            return None, missing
        events = app.refresh(invoice)
    app.deliver_in_background(events)
    return invoice, None


@app.route("GET", r"/api/v1/stores/(?P<store>[^/]+)/invoices/(?P<invoice_id>[^/]+)")
def get_invoice(request):
    if not _authorized(request):
        return _unauthorized()
    invoice, missing = _get_refreshed(request.params["invoice_id"])
    return missing or app.public(invoice)


@app.route("GET", r"/api/v1/stores/(?P<store>[^/]+)/invoices/(?P<invoice_id>[^/]+)/payment-methods")
def get_payment_methods(request):
    if not _authorized(request):
        return _unauthorized()
    invoice, missing = _get_refreshed(request.params["invoice_id"])
    return missing or app.payment_methods(invoice)


@app.route("POST", r"/api/v1/stores/(?P<store>[^/]+)/invoices/(?P<invoice_id>[^/]+)/refund")
def refund(request):
    if not _authorized(request):
        return _unauthorized()
    data = request.json()
    with app.state_lock:
        invoice, missing = _invoice_or_404(request.params["invoice_id"])
        if missing:
            return missing
        name = data.get("name") or ""
        for existing in app.refunds.values():
            if name and existing["name"] == name:
                return existing
        amount = Decimal(str(data["customAmount"]))
        if amount <= 0:
            return Response(400, {"code": "invalid-amount", "message": "customAmount must be positive"})
        refund_id = f"PP{next(app.sequence):06d}"
        app.refunds[refund_id] = {
            "id": refund_id, "name": name, "invoiceId": invoice["id"], "amount": str(amount),
            "currency": data.get("customCurrency", invoice["currency"]),
            "description": data.get("description", ""),
        }
        return app.refunds[refund_id]


@app.route("POST", r"/api/v1/stores/(?P<store>[^/]+)/webhooks")
def register_webhook(request):
    if not _authorized(request):
        return _unauthorized()
    return _set_webhook(request)


@app.route("POST", r"/_sandbox/webhook")
def _set_webhook(request):
    data = request.json()
    with app.state_lock:
        app.webhook = {"id": f"wh{next(app.sequence)}", "url": data["url"], "secret": data["secret"]}
        return {"id": app.webhook["id"], "url": app.webhook["url"]}


# --- sandbox controls ------------------------------------------------------------------------
@app.route("POST", r"/_sandbox/invoices/(?P<invoice_id>[^/]+)/pay")
def pay(request):
    data = request.json()
    amount = Decimal(str(data["amount"]))
    if amount <= 0:
        return Response(400, {"error": "amount must be positive"})
    with app.state_lock:
        invoice, missing = _invoice_or_404(request.params["invoice_id"])
        if missing:
            return missing
        events = app.refresh(invoice)  # an invoice past its time expires before the payment lands
        late = invoice["status"] in ("Expired", "Invalid") or app.clock(invoice) >= invoice["expirationTime"]
        txid = data.get("txid") or hashlib.sha256(f"tx{next(app.tx_sequence)}{_now()}".encode()).hexdigest()
        payment = {"id": txid, "value": amount, "receivedDate": app.clock(invoice), "confirmations": 0,
                   "afterExpiration": late}
        invoice["payments"].append(payment)
        if late:
            invoice["additionalStatus"] = "PaidLate"
        events.append(app.event(
            invoice, "InvoiceReceivedPayment", afterExpiration=late, paymentMethod=invoice["currency"],
            payment={"id": txid, "value": str(amount), "receivedDate": int(payment["receivedDate"]),
                     "status": "Processing"},
        ))
        events += app.refresh(invoice)
    app.deliver(events)
    return {"txid": txid, "invoice": app.public(invoice)}


@app.route("POST", r"/_sandbox/mine")
def mine(request):
    blocks = int(request.json().get("blocks", 1))
    if not 1 <= blocks <= 1000:
        return Response(400, {"error": "blocks must be between 1 and 1000"})
    events = []
    with app.state_lock:
        for invoice in app.invoices.values():
            required = invoice["requiredConfirmations"]
            for p in invoice["payments"]:
                before = p["confirmations"]
                p["confirmations"] += blocks
                if before < required <= p["confirmations"]:
                    events.append(app.event(
                        invoice, "InvoicePaymentSettled", afterExpiration=p["afterExpiration"],
                        paymentMethod=invoice["currency"],
                        payment={"id": p["id"], "value": str(p["value"]), "status": "Settled"},
                    ))
            events += app.refresh(invoice)
    app.deliver(events)
    return {"blocks": blocks, "webhooks": len(events)}


@app.route("POST", r"/_sandbox/invoices/(?P<invoice_id>[^/]+)/expire")
def expire(request):
    with app.state_lock:
        invoice, missing = _invoice_or_404(request.params["invoice_id"])
        if missing:
            return missing
        invoice["clockOffset"] = max(invoice["clockOffset"], invoice["expirationTime"] - _now())
        events = app.refresh(invoice)
    app.deliver(events)
    return app.public(invoice)


@app.route("POST", r"/_sandbox/invoices/(?P<invoice_id>[^/]+)/advance")
def advance(request):
    seconds = float(request.json()["seconds"])
    if seconds < 0:
        return Response(400, {"error": "the clock only moves forward"})
    with app.state_lock:
        invoice, missing = _invoice_or_404(request.params["invoice_id"])
        if missing:
            return missing
        invoice["clockOffset"] += seconds
        events = app.refresh(invoice)
    app.deliver(events)
    return app.public(invoice)


@app.route("POST", r"/_sandbox/invoices/(?P<invoice_id>[^/]+)/invalidate")
def invalidate(request):
    with app.state_lock:
        invoice, missing = _invoice_or_404(request.params["invoice_id"])
        if missing:
            return missing
        events = []
        if invoice["status"] != "Invalid":
            invoice["status"] = "Invalid"
            events.append(app.event(invoice, "InvoiceInvalid", manuallyMarked=True))
    app.deliver(events)
    return app.public(invoice)


@app.route("GET", r"/_sandbox/deliveries")
def deliveries(request):
    with app.state_lock:
        return list(app.deliveries)


@app.route("POST", r"/_sandbox/deliveries/(?P<delivery_id>[^/]+)/resend")
def resend(request):
    with app.state_lock:
        found = [d for d in app.deliveries if d["deliveryId"] == request.params["delivery_id"] and d["url"]]
    if not found:
        return Response(404, {"error": "no such delivery that was sent"})
    record = {**found[-1], "status": None, "error": ""}
    app._post(record)
    with app.state_lock:
        app.deliveries.append(record)
    return record
