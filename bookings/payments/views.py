"""Payment pages and the processor webhook: HTTP in, services/selectors, HTTP out.

The page, its status and the sandbox form answer only the reference's traveller or the holder of
a signed link (bookings.payments.access); anyone else gets the same 404 as an unknown reference.
"""
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bookings.payments.access import may_see_payment, token_opens
from bookings.payments.adapters import processor
from bookings.payments.errors import InvoiceNotFound, PaymentError, WebhookRejected
from bookings.payments.models import Invoice
from bookings.payments.qr import qr_svg
from bookings.payments.selectors import coin_amount, invoice_for_reference, invoice_status
from bookings.payments.services import invoice_poll, invoice_sync, webhook_process, webhook_receive

POLL_EVERY_SECONDS = 5
SIMULATIONS = {"exact": "Pay the exact amount", "partial": "Pay half", "over": "Pay 10% too much"}


def _invoice_or_404(request, reference: str) -> Invoice:
    """The invoice, if this visitor may see it; the same 404 whether it is missing or not theirs."""
    if not may_see_payment(user=request.user, reference=reference, token=request.GET.get("t", "")):
        raise Http404(f"No payment for {reference}.")
    try:
        return invoice_for_reference(reference=reference)
    except InvoiceNotFound as exc:
        raise Http404(exc.message) from exc


def _nothing_to_pay(request, reference: str) -> bool:
    """A reference this visitor may see that has no invoice: a booking paid without one."""
    return (may_see_payment(user=request.user, reference=reference, token=request.GET.get("t", ""))
            and not Invoice.objects.filter(reference=reference).exists())


def _url(request, name: str, reference: str) -> str:
    """A payment URL that keeps the signed link's token, so a signed-out traveller stays in."""
    token = request.GET.get("t", "")
    query = f"?{urlencode({'t': token})}" if token_opens(token=token, reference=reference) else ""
    return reverse(f"payments:{name}", args=[reference]) + query


def _back_to_page(request, reference: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(_url(request, "pay", reference))


def _refresh(invoice: Invoice) -> None:
    """Ask the processor about an open invoice at most every few seconds (webhooks may be lost),
    through the outbox: a broker outage delays the sync, the page still shows what we know."""
    invoice_poll(invoice=invoice, every_seconds=POLL_EVERY_SECONDS)


def _countdown(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _status(invoice: Invoice) -> dict:
    return invoice_status(invoice=invoice) | {"booking_url": f"/bookings/{invoice.reference}/"}


@never_cache
@require_GET
def pay(request, reference: str):
    if _nothing_to_pay(request, reference):  # credit and points paid it all: the booking page says so
        messages.info(request, "Nothing left to pay: your platform credit and points paid the whole total.")
        return HttpResponseRedirect(f"/bookings/{reference}/")
    invoice = _invoice_or_404(request, reference)
    _refresh(invoice)
    invoice.refresh_from_db()
    link = invoice.payment_link or invoice.address
    context = {
        "invoice": invoice,
        "status": _status(invoice),
        "amount": coin_amount(invoice.amount_due, invoice.coin),
        "qr": mark_safe(qr_svg(link, label=f"QR code to pay {invoice.coin.symbol} to {invoice.address}"))
        if invoice.address else "",
        "sandbox": settings.PAYMENT_SANDBOX_CONTROLS and invoice.is_open and bool(invoice.processor_id),
        "simulations": SIMULATIONS,
        "poll_seconds": POLL_EVERY_SECONDS,
        "countdown": _countdown(invoice_status(invoice=invoice)["seconds_left"]),
        "page_url": _url(request, "pay", reference),
        "status_url": _url(request, "status", reference),
        "simulate_url": _url(request, "simulate", reference),
    }
    return render(request, "payments/pay.html", context)


@never_cache
@require_GET
def pay_status(request, reference: str):
    invoice = _invoice_or_404(request, reference)
    _refresh(invoice)
    invoice.refresh_from_db()
    return JsonResponse(_status(invoice))


@require_POST
def pay_simulate(request, reference: str):
    """Sandbox only: pay the invoice on the simulated chain and mine enough blocks to settle."""
    if not settings.PAYMENT_SANDBOX_CONTROLS:
        raise Http404("Payments are simulated only against the sandbox processor.")
    invoice = _invoice_or_404(request, reference)
    outcome = request.POST.get("outcome", "exact")
    if outcome not in SIMULATIONS:
        messages.error(request, "Choose one of the offered simulations.")
        return _back_to_page(request, reference)
    if not invoice.is_open or not invoice.processor_id:
        messages.error(request, "This invoice cannot be paid any more.")
        return _back_to_page(request, reference)
    factor = {"exact": Decimal(1), "partial": Decimal("0.5"), "over": Decimal("1.1")}[outcome]
    amount = (invoice.amount_outstanding * factor).quantize(invoice.coin.quantum) or invoice.coin.quantum
    try:
        processor.sandbox_pay(invoice_id=invoice.processor_id, amount=amount)
        if outcome != "partial":
            processor.sandbox_mine(blocks=max(invoice.coin.confirmations_required, 1))
        invoice_sync(invoice=invoice)  # webhooks do this too; not waiting for them keeps the demo snappy
    except PaymentError as exc:
        messages.error(request, exc.message)
    return _back_to_page(request, reference)


@csrf_exempt
@require_POST
def webhook(request):
    """The processor's webhook: verified over the raw body, stored once per delivery id."""
    try:
        delivery, is_new = webhook_receive(body=request.body, signature=request.headers.get("BTCPay-Sig", ""))
    except WebhookRejected as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    if not is_new:
        return JsonResponse({"ok": True, "duplicate": True})
    outcome = webhook_process(delivery=delivery)
    return JsonResponse({"ok": True, "duplicate": False, "outcome": outcome})
