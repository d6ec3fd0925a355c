"""Booking pages: checkout, price lock, placing, my bookings, booking detail, cancellation.

HTTP only: parse with a form, call a service or selector, render. Bad input answers 4xx with
a message on the page; a used or expired price lock answers 410 with a re-quote link.
"""
import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bookings.errors import LOCK_ERROR_STATUS, LimitReached
from bookings.forms import CancelForm, GuestsForm, OfferForm, PayWithForm, PlaceForm, StayForm, first_error
from bookings.guests import expected_guests
from bookings.locks import LockGone, lock_peek
from bookings.models import Booking
from bookings.redemption import redemption_provider
from bookings.selectors import (
    booking_of,
    booking_timeline,
    bookings_of,
    guest_defaults,
    pay_url,
    payment_instructions,
)
from bookings.services.lifecycle import booking_cancel, cancellation_terms
from bookings.services.placing import IdempotencyConflict, booking_place
from bookings.services.quoting import (
    POINTS_PROVIDER,
    credit_allowance,
    points_allowance,
    price_lock_offer,
    price_lock_stay,
)
from bookings.states import ACTIVE
from bookings.timeline import traveller_timeline
from core.money import money
from core.throttles import PlacementThrottle, PriceLockThrottle, throttled_page
from inventory.errors import Busy, InventoryError
from inventory.selectors import stay_quote


def _coins():
    from bookings.payments.selectors import currencies_for_checkout

    return list(currencies_for_checkout())


def _problem(request, *, status: int, title: str, message: str, link: str = "", link_text: str = ""):
    return render(request, "bookings/problem.html",
                  {"title": title, "message": message, "link": link, "link_text": link_text}, status=status)


def _supplier_errors():
    from suppliers.errors import SupplierError

    return SupplierError


@login_required
@require_GET
def checkout(request):
    form = StayForm(request.GET)
    if not form.is_valid():
        return _problem(request, status=400, title="We cannot price this stay", message=first_error(form),
                        link="/", link_text="Back to hotels")
    data = form.cleaned_data
    quote = stay_quote(room_type=data["room_type_obj"], rate_plan=data["rate_plan_obj"], stay=data["stay"])
    return render(request, "bookings/checkout.html", {
        "kind": "stay", "room_type": data["room_type_obj"], "rate_plan": data["rate_plan_obj"],
        "rate_plans": data["rate_plans"], "stay": data["stay"], "quote": quote, "coins": _coins(),
        "points_enabled": redemption_provider(POINTS_PROVIDER) is not None, "params": request.GET,
        "points": points_allowance(user=request.user, fiat_total=quote.total, currency=quote.currency),
        "credit": credit_allowance(user=request.user, fiat_total=quote.total, currency=quote.currency),
    }, status=200 if quote.bookable else 409)


@login_required
@require_POST
@throttled_page(PriceLockThrottle)
def lock_stay(request):
    form, pay = StayForm(request.POST), PayWithForm(request.POST)
    if not form.is_valid() or not pay.is_valid():
        return _problem(request, status=400, title="We cannot lock this price",
                        message=first_error(form) if form.errors else first_error(pay), link="/")
    data = form.cleaned_data
    try:
        lock = price_lock_stay(user=request.user, room_type=data["room_type_obj"], rate_plan=data["rate_plan_obj"],
                               stay=data["stay"], coin_code=pay.cleaned_data["coin"],
                               points=pay.cleaned_data.get("points") or 0,
                               credit=pay.cleaned_data.get("credit") or Decimal("0"))
    except ValidationError as exc:
        return _problem(request, status=LOCK_ERROR_STATUS.get(exc.code, 400),
                        title="We cannot lock this price", message=exc.messages[0],
                        link=request.META.get("HTTP_REFERER", "/"), link_text="Back to checkout")
    return redirect("bookings:locked", lock_id=lock.id)


@login_required
@require_GET
def checkout_offer(request):
    from suppliers import offer_get

    form = OfferForm(request.GET)
    if not form.is_valid():
        return _problem(request, status=400, title="We cannot price this offer", message=first_error(form), link="/")
    try:
        offer = offer_get(kind=form.cleaned_data["kind"], offer_id=form.cleaned_data["offer_id"])
    except _supplier_errors() as exc:
        retryable = getattr(exc, "retryable", False)
        return _problem(request, status=503 if retryable else 410, title="This offer cannot be booked",
                        message=("The supplier is not answering; try again in a minute." if retryable
                                 else f"This offer is no longer available ({exc.message})."), link="/")
    details = [(str(k).replace("_", " ").capitalize(), v) for k, v in (offer.details or {}).items()
               if not isinstance(v, (list, dict))]
    return render(request, "bookings/checkout.html", {
        "kind": form.cleaned_data["kind"], "offer": offer, "details": details, "coins": _coins(),
        "points_enabled": redemption_provider(POINTS_PROVIDER) is not None,
        "points": points_allowance(user=request.user, fiat_total=money(Decimal(offer.price)), currency=offer.currency),
        "credit": credit_allowance(user=request.user, fiat_total=money(Decimal(offer.price)), currency=offer.currency),
    })


@login_required
@require_POST
@throttled_page(PriceLockThrottle)
def lock_offer(request):
    form, pay = OfferForm(request.POST), PayWithForm(request.POST)
    if not form.is_valid() or not pay.is_valid():
        return _problem(request, status=400, title="We cannot lock this price",
                        message=first_error(form) if form.errors else first_error(pay), link="/")
    try:
        lock = price_lock_offer(user=request.user, kind=form.cleaned_data["kind"],
                                offer_id=form.cleaned_data["offer_id"], coin_code=pay.cleaned_data["coin"],
                                points=pay.cleaned_data.get("points") or 0,
                                credit=pay.cleaned_data.get("credit") or Decimal("0"))
    except ValidationError as exc:
        return _problem(request, status=LOCK_ERROR_STATUS.get(exc.code, 400), title="We cannot lock this price",
                        message=exc.messages[0], link="/")
    except _supplier_errors():
        return _problem(request, status=503, title="The supplier is not answering",
                        message="We could not check the price with the supplier; try again in a minute.", link="/")
    return redirect("bookings:locked", lock_id=lock.id)


def _guest_count(lock) -> int | None:
    return expected_guests(kind=lock.kind, stay=lock.stay, offer_details=lock.offer.get("details") or {})


def _locked_page(request, *, lock, form: GuestsForm, idempotency_key: str, status: int = 200, problem: str = ""):
    return render(request, "bookings/locked.html", {
        "lock": lock, "idempotency_key": idempotency_key, "form": form, "guest_count": _guest_count(lock),
        "other_rows": form.other_rows(), "problem": problem, "is_flight": lock.kind == "flight",
        "document_required": bool((lock.offer.get("details") or {}).get("document_required")),
    }, status=status)


@login_required
@require_GET
def locked(request, lock_id):
    try:
        lock = lock_peek(lock_id=lock_id, user_id=request.user.pk)
    except LockGone as gone:
        return _gone(request, gone)
    form = GuestsForm(initial=guest_defaults(user=request.user), others=max(0, (_guest_count(lock) or 1) - 1))
    return _locked_page(request, lock=lock, form=form, idempotency_key=uuid.uuid4().hex)


def _gone(request, gone: LockGone):
    return _problem(request, status=410, title="This price is no longer held", message=gone.message,
                    link=gone.requote_url, link_text="Get a fresh quote")


@login_required
@require_POST
@throttled_page(PlacementThrottle)
def place(request):
    form = PlaceForm(request.POST)
    if not form.is_valid():
        return _problem(request, status=400, title="We cannot place this booking",
                        message="The booking form is incomplete; lock the price again.", link="/")
    lock_id, key = form.cleaned_data["lock_id"], form.cleaned_data["idempotency_key"]
    try:
        lock = lock_peek(lock_id=lock_id, user_id=request.user.pk)
    except LockGone:  # a second click (booking_place answers with the booking it placed) or a gone lock
        lock = None
    guests = GuestsForm(request.POST, others=max(0, (_guest_count(lock) or 1) - 1) if lock else 0)
    if lock is not None and not guests.is_valid():
        return _locked_page(request, lock=lock, form=guests, idempotency_key=key, status=400)
    try:
        placement = booking_place(user=request.user, lock_id=lock_id, idempotency_key=key,
                                  guests=guests.details() if lock is not None else None)
    except LockGone as gone:
        return _gone(request, gone)
    except IdempotencyConflict as exc:
        return _problem(request, status=409, title="This form was already used", message=exc.message,
                        link="/bookings/", link_text="My bookings")
    except Busy:
        return _busy(request)
    except InventoryError as exc:
        return _problem(request, status=409, title="These rooms are no longer available", message=exc.message, link="/")
    except LimitReached as exc:
        return _problem(request, status=409, title="We cannot place this booking", message=exc.message,
                        link="/bookings/", link_text="My bookings")
    except ValidationError as exc:
        if exc.code == "guests":  # the lock is back (the placement rolled back): correct and retry
            return _locked_page(request, lock=lock, form=guests, idempotency_key=key, status=400,
                                problem=exc.messages[0])
        return _problem(request, status=400, title="We cannot place this booking", message=exc.messages[0], link="/")
    except OperationalError:  # a lock or connection timeout: nothing was written, the lock is back
        return _busy(request)
    return redirect(pay_url(placement.booking.reference))


def _busy(request):
    return _problem(request, status=503, title="We are busy",
                    message="Nothing was booked; press Back and try Book now again in a moment.")


@login_required
@require_GET
def my_bookings(request):
    return render(request, "bookings/list.html", {"bookings": bookings_of(user=request.user)})


@login_required
@require_GET
def booking_detail(request, reference):
    try:
        booking = booking_of(user=request.user, reference=reference)
    except Booking.DoesNotExist:
        raise Http404("No such booking.")
    refund_due, terms = cancellation_terms(booking)
    return render(request, "bookings/detail.html", {
        "booking": booking, "timeline": traveller_timeline(booking_timeline(booking=booking)),
        "other_guests": list(booking.other_guests.all()),
        "payment": payment_instructions(booking=booking), "cancellable": booking.status in ACTIVE,
        "refund_due": refund_due, "terms": terms, "cancel_form": CancelForm(),
        "excess": _excess_of(booking.reference), "refund_claims": _refund_claims_of(booking.reference),
    })


def _excess_of(reference: str):
    from bookings.payments.selectors import excess_of

    return excess_of(reference=reference)


def _refund_claims_of(reference: str):
    from bookings.payments.selectors import refund_claims_of

    return refund_claims_of(reference=reference)


@login_required
@require_POST
def return_excess(request, reference):
    """The traveller's choice for what they paid over: back to their wallet, or platform credit."""
    from bookings.payments.errors import PaymentError
    from bookings.payments.services import excess_return

    form = CancelForm(request.POST)  # the same choice of method: crypto or credit
    if not form.is_valid():
        return _problem(request, status=400, title="We cannot return the overpayment", message=first_error(form))
    try:
        booking = booking_of(user=request.user, reference=reference)
    except Booking.DoesNotExist:
        raise Http404("No such booking.")
    try:
        excess_return(reference=booking.reference, method=form.cleaned_data["method"] or "crypto",
                      user_id=request.user.pk)
    except PaymentError as exc:
        return _problem(request, status=409, title="We cannot return the overpayment", message=exc.message,
                        link=f"/bookings/{reference}/", link_text="Back to the booking")
    messages.success(request, "What you paid over is on its way back." if form.cleaned_data["method"] != "credit"
                     else "What you paid over is now platform credit.")
    return redirect("bookings:detail", reference=booking.reference)


@login_required
@require_POST
def cancel(request, reference):
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _problem(request, status=400, title="We cannot cancel this booking", message=first_error(form))
    try:
        booking = booking_cancel(reference=reference, user=request.user, method=form.cleaned_data["method"] or "crypto")
    except Booking.DoesNotExist:
        raise Http404("No such booking.")
    except ValidationError as exc:
        return _problem(request, status=409, title="We cannot cancel this booking", message=exc.messages[0],
                        link=f"/bookings/{reference}/", link_text="Back to the booking")
    messages.success(request, f"Booking {booking.reference} is cancelled." if booking.status == Booking.Status.CANCELLED
                     else f"We have asked the supplier to cancel booking {booking.reference}; the refund follows its answer.")
    return redirect("bookings:detail", reference=booking.reference)
