"""Sandbox crypto payment processor, shaped like BTCPay Server's Greenfield API, with a simulated chain.

Greenfield-style API (``Authorization: token <PAYMENT_API_KEY>``):

    POST /api/v1/stores/{store}/invoices                  create {amount, currency, metadata.orderId,
                                                           checkout.expirationMinutes/monitoringMinutes,
                                                           requiredConfirmations (sandbox extension)}
    GET  /api/v1/stores/{store}/invoices?orderId=REF      find by order id (makes creation idempotent)
    GET  /api/v1/stores/{store}/invoices/{id}             the invoice (status, additionalStatus)
    GET  /api/v1/stores/{store}/invoices/{id}/payment-methods   address, due, paid, payments (with
                                                           confirmations and afterExpiration)
    POST /api/v1/stores/{store}/invoices/{id}/refund      a refund: a pull payment (deduplicated on
                                                           ``name``) whose ``viewLink`` is its claim page
    GET  /api/v1/stores/{store}/pull-payments/{id}        the pull payment
    POST /api/v1/stores/{store}/webhooks                  {url, secret}: where signed webhooks go

Webhooks: JSON body with deliveryId, webhookId, type (InvoiceCreated, InvoiceReceivedPayment,
InvoiceProcessing, InvoiceSettled, InvoiceExpired, InvoiceInvalid, InvoicePaymentSettled),
timestamp (unix), storeId, invoiceId, metadata; header ``BTCPay-Sig: sha256=<hex hmac of body>``.
Without a registered webhook they go to $PAYMENT_WEBHOOK_URL or $SITE_URL/webhooks/payments/ (if
set), signed with $PAYMENT_WEBHOOK_SECRET. Deliveries caused by a control call are made before the
call answers (deterministic tests); those noticed lazily (an invoice found expired on a GET) go
out from a background thread.

Pull payments, public as in BTCPay (whoever holds the link may claim):

    GET  /pull-payments/{id}                           the claim page (HTML): amount, coin, a destination field
    POST /pull-payments/{id}                           the claim page's form (destination): a payout, or 400
    GET  /api/v1/pull-payments/{id}                    the pull payment
    GET  /api/v1/pull-payments/{id}/payouts            its payouts (state AwaitingApproval, Completed, …)
    POST /api/v1/pull-payments/{id}/payouts            claim {destination, amount?, paymentMethod?}: the
                                                       destination is checked for the coin (sandboxes/addresses.py);
                                                       400 {code, message} when it cannot receive it

A payout waits in AwaitingApproval until ``POST /_sandbox/payouts/{id}/complete`` (the store approved
and sent it: Completed, with a transaction id as proof), or is Completed at once with
``POST /_sandbox/config {"extra": {"payouts_auto_complete": true}}``.

Sandbox controls (no auth):

    POST /_sandbox/invoices/{id}/pay {amount, txid?}   a transaction seen in the mempool
    POST /_sandbox/addresses/{address}/pay {amount, txid?}   the same, sent to the invoice's address (as a
                                                       wallet does: it knows the address, not the invoice)
    POST /_sandbox/mine {blocks}                       every payment gains ``blocks`` confirmations
    POST /_sandbox/invoices/{id}/expire                expire it now
    POST /_sandbox/invoices/{id}/advance {seconds}     move the invoice's clock forward
    POST /_sandbox/invoices/{id}/invalidate            mark it invalid
    POST /_sandbox/webhook {url, secret}               same as registering a webhook
    GET  /_sandbox/deliveries[?wait=SECONDS]           every webhook delivery and its outcome (status None
                                                       and no error: still queued); with ``wait``, once none
                                                       is queued or being sent, or 504 {pending} after SECONDS
    POST /_sandbox/deliveries/{deliveryId}/resend      send the same bytes and signature again, before answering
    POST /_sandbox/config {"extra": {"webhooks_off": true}}   lose webhooks (polling must cope)
    POST /_sandbox/payouts/{id}/complete               a claimed payout is sent: Completed
    POST /_sandbox/config {"extra": {"refund_answer_drops": ["viewLink"]}}   answer refunds without those keys
"""
import collections
import hashlib
import hmac
import html
import http.client
import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

from sandboxes.addresses import destination_problem
from sandboxes.http import App, Response

STORE_ID = "sandbox-store"


def _now() -> float:
    return time.time()


class Sender:
    """Posts webhook deliveries one at a time, in the order they were queued, from one background
    thread (BTCPay queues each webhook's deliveries the same way): the call that caused them answers
    without waiting for them, and the receiving site gets one delivery at a time, in order."""

    def __init__(self, post):
        self._post = post
        self._changed = threading.Condition()
        self._queue: collections.deque[dict] = collections.deque()
        self._busy = 0  # queued or being sent
        self._thread: threading.Thread | None = None

    def put(self, records: list[dict]) -> None:
        if not records:
            return
        with self._changed:
            self._queue.extend(records)
            self._busy += len(records)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="payments-webhooks", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue)
                record = self._queue.popleft()
            try:
                self._post(record)
            except Exception as exc:  # noqa: BLE001 - a dead sender would strand the queue behind it
                record["error"] = repr(exc)
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()

    def pending(self) -> int:
        with self._changed:
            return self._busy

    def wait(self, timeout: float) -> bool:
        """True once nothing is queued or being sent; False if that took longer than ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._busy == 0, timeout)

    def drop(self, timeout: float = 15.0) -> None:
        """Forget what is queued (a reset); the delivery being sent, if any, finishes first."""
        with self._changed:
            self._busy -= len(self._queue)
            self._queue.clear()
        self.wait(timeout)


class Processor(App):
    def __init__(self):
        super().__init__("payments")
        self.state_lock = threading.RLock()
        self.sender = Sender(self._post)
        self._clear()

    def _clear(self):
        with self.state_lock:
            self.invoices: dict[str, dict] = {}
            self.by_order: dict[str, str] = {}
            self.by_address: dict[str, str] = {}
            self.refunds: dict[str, dict] = {}  # the pull payments that refunds are, by id
            self.payouts: dict[str, dict] = {}
            self.deliveries: list[dict] = []
            self.webhook: dict | None = None
            self.sequence = itertools.count(1)
            self.tx_sequence = itertools.count(1)

    def reset(self) -> None:
        self.sender.drop()  # nothing of the last test reaches the next one
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
        """Record each webhook and queue it for the sender; the caller does not wait for it to be sent."""
        queued = []
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
            queued.append(record)
        self.sender.put(queued)

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
        except (OSError, ValueError, http.client.HTTPException) as exc:
            record["error"] = repr(exc)

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
        app.by_address[invoice["address"]] = invoice_id
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
    app.deliver(events)
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
    """A refund is a pull payment for the amount: the customer claims it on its ``viewLink``."""
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
                return _refund_answer(existing)
        amount = Decimal(str(data["customAmount"]))
        if amount <= 0:
            return Response(400, {"code": "invalid-amount", "message": "customAmount must be positive"})
        refund_id = f"PP{next(app.sequence):06d}"
        app.refunds[refund_id] = {
            "id": refund_id, "name": name, "invoiceId": invoice["id"], "amount": str(amount),
            "currency": data.get("customCurrency", invoice["currency"]),
            "description": data.get("description", ""), "startsAt": int(_now()),
            "viewLink": f"http://{request.headers.get('host', '127.0.0.1')}/pull-payments/{refund_id}",
        }
        return _refund_answer(app.refunds[refund_id])


def _refund_answer(pull: dict) -> dict:
    """The pull payment, less the keys a test asked to drop (a processor breaking its contract)."""
    dropped = app.behaviour.extra.get("refund_answer_drops") or ()
    return {k: v for k, v in _pull_payment(pull).items() if k not in dropped}


# --- pull payments and their payouts (BTCPay's are public: the link is the key) ---------------
PAYOUT_OPEN = ("AwaitingApproval", "AwaitingPayment", "InProgress", "Completed")


def _pull_payment(pull: dict) -> dict:
    return {
        "id": pull["id"], "name": pull["name"], "description": pull["description"], "amount": pull["amount"],
        "currency": pull["currency"], "period": None, "BOLT11Expiration": "30", "archived": False,
        "autoApproveClaims": False, "startsAt": pull["startsAt"], "expiresAt": None, "viewLink": pull["viewLink"],
    }


def _payouts_of(pull_id: str) -> list[dict]:
    return [p for p in app.payouts.values() if p["pullPaymentId"] == pull_id]


def _left_to_claim(pull: dict) -> Decimal:
    claimed = sum((Decimal(p["originalAmount"]) for p in _payouts_of(pull["id"]) if p["state"] in PAYOUT_OPEN),
                  Decimal(0))
    return Decimal(pull["amount"]) - claimed


def _pull_or_404(pull_id: str):
    pull = app.refunds.get(pull_id)
    if pull is None:
        return None, Response(404, {"code": "pullpayment-not-found", "message": f"no pull payment {pull_id}"})
    return pull, None


def _claim(pull_id: str, data: dict) -> Response:
    """A payout of ``amount`` (default: all that is left) to ``destination``, or 400 saying why not."""
    with app.state_lock:
        pull, missing = _pull_or_404(pull_id)
        if missing:
            return missing
        left = _left_to_claim(pull)
        method = str(data.get("paymentMethod") or pull["currency"]).upper()
        problem = destination_problem(pull["currency"], str(data.get("destination") or ""))
        try:
            amount = Decimal(str(data["amount"])) if data.get("amount") not in (None, "") else left
        except InvalidOperation:
            amount = Decimal(-1)
        if left <= 0:
            problem = "This refund has already been claimed."
        elif method != pull["currency"].upper():
            problem = f"This refund is paid out in {pull['currency']} only, not {method}."
        elif not problem and not 0 < amount <= left:
            problem = f"The amount must be more than 0 and at most {left} {pull['currency']}."
        if problem:
            return Response(400, {"code": "invalid-claim", "message": problem})
        payout_id = f"PO{next(app.sequence):06d}"
        app.payouts[payout_id] = {
            "id": payout_id, "revision": 0, "pullPaymentId": pull["id"], "date": int(_now()),
            "destination": str(data["destination"]).strip(), "originalAmount": str(amount),
            "originalCurrency": pull["currency"], "payoutAmount": str(amount), "payoutCurrency": pull["currency"],
            "payoutMethodId": method, "paymentMethod": method, "state": "AwaitingApproval", "paymentProof": None,
        }
        if app.behaviour.extra.get("payouts_auto_complete"):
            _complete(app.payouts[payout_id])
        return Response(200, app.payouts[payout_id])


def _complete(payout: dict) -> None:
    txid = hashlib.sha256(f"payout{payout['id']}{next(app.tx_sequence)}".encode()).hexdigest()
    payout.update(state="Completed", revision=payout["revision"] + 1,
                  paymentProof={"proofType": "PayoutTransactionOnChainBlob", "transactionId": txid})


@app.route("GET", r"/api/v1/stores/(?P<store>[^/]+)/pull-payments/(?P<pull_id>[^/]+)")
def store_pull_payment(request):
    if not _authorized(request):
        return _unauthorized()
    return get_pull_payment(request)


@app.route("GET", r"/api/v1/pull-payments/(?P<pull_id>[^/]+)")
def get_pull_payment(request):
    with app.state_lock:
        pull, missing = _pull_or_404(request.params["pull_id"])
        return missing or _pull_payment(pull)


@app.route("GET", r"/api/v1/pull-payments/(?P<pull_id>[^/]+)/payouts")
def list_payouts(request):
    with app.state_lock:
        pull, missing = _pull_or_404(request.params["pull_id"])
        return missing or [dict(p) for p in _payouts_of(pull["id"])]


@app.route("POST", r"/api/v1/pull-payments/(?P<pull_id>[^/]+)/payouts")
def create_payout(request):
    try:
        data = request.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return Response(400, {"code": "invalid-claim", "message": "A JSON object is required."})
    return _claim(request.params["pull_id"], data)


@app.route("GET", r"/pull-payments/(?P<pull_id>[^/]+)")
def claim_page(request):
    with app.state_lock:
        pull, missing = _pull_or_404(request.params["pull_id"])
        if missing:
            return _html(404, "Refund not found", "<p>There is no such refund.</p>")
        return _html(200, *_claim_page_body(pull))


@app.route("POST", r"/pull-payments/(?P<pull_id>[^/]+)")
def claim_page_submit(request):
    form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    answer = _claim(request.params["pull_id"], {"destination": form.get("destination", "")})
    with app.state_lock:
        pull, missing = _pull_or_404(request.params["pull_id"])
        if missing:
            return _html(404, "Refund not found", "<p>There is no such refund.</p>")
        error = answer.body["message"] if answer.status != 200 else ""
        return _html(answer.status, *_claim_page_body(pull, error=error, destination=form.get("destination", "")))


def _claim_page_body(pull: dict, *, error: str = "", destination: str = "") -> tuple[str, str]:
    e, coin = html.escape, html.escape(pull["currency"])
    payouts = _payouts_of(pull["id"])
    rows = "".join(f'<li data-state="{e(p["state"])}">{e(p["originalAmount"])} {coin} to <code>{e(p["destination"])}'
                   f'</code>: <strong>{e(p["state"])}</strong></li>' for p in payouts)
    body = (f'<p>Amount: <strong id="amount">{e(pull["amount"])} {coin}</strong></p>'
            f'<p>{e(pull["description"])}</p>')
    if error:
        body += f'<p role="alert" id="claim-error">{e(error)}</p>'
    if _left_to_claim(pull) > 0:
        body += (f'<form method="post"><label for="destination">Your {coin} address</label> '
                 f'<input id="destination" name="destination" required size="60" value="{e(destination)}"> '
                 f'<button type="submit">Claim</button></form>')
    else:
        body += '<p id="claimed">This refund has been claimed.</p>'
    if rows:
        body += f"<h2>Payouts</h2><ul>{rows}</ul>"
    return f"Claim your refund {e(pull['id'])}", body


def _html(status: int, title: str, body: str) -> Response:
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f'<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">'
            f'<h1>{title}</h1>{body}</body></html>')
    return Response(status, raw=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


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
    return _pay(request, lambda: _invoice_or_404(request.params["invoice_id"]))


@app.route("POST", r"/_sandbox/addresses/(?P<address>[^/]+)/pay")
def pay_to_address(request):
    """What a wallet does: send to the address it scanned, knowing nothing of invoices."""
    def find():
        invoice_id = app.by_address.get(request.params["address"])
        if invoice_id is None:
            return None, Response(404, {"code": "address-not-found", "message": "no invoice has that address"})
        return app.invoices[invoice_id], None
    return _pay(request, find)


def _pay(request, find):
    data = request.json()
    amount = Decimal(str(data["amount"]))
    if amount <= 0:
        return Response(400, {"error": "amount must be positive"})
    with app.state_lock:
        invoice, missing = find()
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


@app.route("POST", r"/_sandbox/payouts/(?P<payout_id>[^/]+)/complete")
def complete_payout(request):
    with app.state_lock:
        payout = app.payouts.get(request.params["payout_id"])
        if payout is None:
            return Response(404, {"error": "no such payout"})
        if payout["state"] != "Completed":
            _complete(payout)
        return dict(payout)


@app.route("GET", r"/_sandbox/deliveries")
def deliveries(request):
    if "wait" in request.query:
        try:
            seconds = min(max(float(request.query["wait"]), 0.0), 60.0)
        except ValueError:
            return Response(400, {"error": "wait is a number of seconds (at most 60)"})
        if not app.sender.wait(seconds):
            return Response(504, {"error": f"webhooks still queued or being sent after {seconds:g} s",
                                  "pending": app.sender.pending()})
    with app.state_lock:
        return [dict(d) for d in app.deliveries]


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
