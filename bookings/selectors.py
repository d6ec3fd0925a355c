"""Reads of bookings. A traveller only ever reads their own."""
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from bookings.models import Booking, BookingEvent
from catalogue.models import RoomType
from inventory.models import RatePlan
from inventory.stays import Stay


def bookings_of(*, user):
    return Booking.objects.filter(user=user).select_related("property", "rate_plan").order_by("-created_at")


def booking_of(*, user, reference: str) -> Booking:
    """The traveller's booking; Booking.DoesNotExist for anyone else's (a 404, not a 403)."""
    return Booking.objects.select_related("property", "room_type", "rate_plan").get(user=user, reference=reference)


@dataclass(frozen=True)
class StayChoice:
    room_type: RoomType
    rate_plan: RatePlan
    rate_plans: list[RatePlan]
    stay: Stay


def stay_choice(*, room_type_id: int, rate_plan_id: int | None, check_in, check_out, rooms: int,
                guests: int) -> StayChoice:
    """What a traveller asks to book in one of our hotels, checked: a room on sale, one of its
    hotel's rate plans (the first when none is named), and a stay valid on the hotel's calendar.
    Raises ValidationError whose code names the field at fault (``room_type``, ``rate_plan``) or
    the stay's rule."""
    room_type = RoomType.objects.select_related("property__destination").filter(
        pk=room_type_id, property__is_active=True).first()
    if room_type is None:
        raise ValidationError("This room does not exist or is not on sale.", code="room_type")
    plans = list(RatePlan.objects.filter(property=room_type.property))
    rate_plan = next((p for p in plans if p.pk == rate_plan_id), None) if rate_plan_id else next(iter(plans), None)
    if rate_plan is None:
        raise ValidationError("This rate plan is not offered for this room.", code="rate_plan")
    stay = Stay(check_in=check_in, check_out=check_out, rooms=rooms, guests=guests,
                today=room_type.property.local_today())  # the hotel's date, not the server's
    return StayChoice(room_type=room_type, rate_plan=rate_plan, rate_plans=plans, stay=stay)


def guest_defaults(*, user) -> dict:
    """The lead guest prefilled from the account: its name and email, and the phone the
    traveller gave on their last booking."""
    last_phone = (Booking.objects.filter(user=user).exclude(lead_phone="").order_by("-created_at")
                  .values_list("lead_phone", flat=True).first())
    return {"lead_name": user.get_full_name() or "", "lead_email": user.email or "", "lead_phone": last_phone or ""}


def booking_timeline(*, booking: Booking) -> list[BookingEvent]:
    return list(BookingEvent.objects.filter(booking=booking).select_related("actor").order_by("created_at", "id"))


@dataclass(frozen=True)
class PaymentInstructions:
    pay_url: str
    coin_code: str
    amount: str  # in the coin's decimals
    address: str
    payment_link: str
    expires_at: datetime | None
    status: str

    def as_dict(self) -> dict:
        return {"pay_url": self.pay_url, "coin": self.coin_code, "amount": self.amount,
                "address": self.address, "payment_link": self.payment_link,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None, "status": self.status}


def pay_url(reference: str) -> str:
    """payments' page for the booking (contract H5: /pay/<reference>/)."""
    return f"/pay/{reference}/"


UNREAD = object()  # "not read yet": payment_instructions reads the invoice itself


def payment_instructions(*, booking: Booking, invoice=UNREAD) -> PaymentInstructions:
    """Where and how much to pay, from the invoice payments opened for this booking (read here
    unless the caller holds it, with its coin: placing answers with the invoice it just opened)."""
    from bookings.payments.models import Invoice
    from bookings.payments.selectors import coin_amount

    if invoice is UNREAD:
        invoice = Invoice.objects.select_related("coin").filter(reference=booking.reference).first()
    return PaymentInstructions(
        pay_url=pay_url(booking.reference),
        coin_code=booking.coin_code,
        amount=coin_amount(invoice.amount_due, invoice.coin) if invoice else f"{booking.crypto_amount.normalize():f}",
        address=invoice.address if invoice else "",
        payment_link=invoice.payment_link if invoice else "",
        expires_at=invoice.expires_at if invoice else booking.payment_expires_at,
        status=invoice.status if invoice else (NOTHING_TO_PAY if booking.total == 0 else ""),
    )


NOTHING_TO_PAY = "nothing_to_pay"  # platform credit (and points) paid it all: there is no invoice


@dataclass(frozen=True)
class PendingCancellation:
    """A cancellation asked of the supplier that it has not answered yet."""

    status: str  # "pending_at_supplier"
    requested_at: datetime
    refund_method: str  # what the refund will be paid in: "crypto" or "credit"
    expected_refund: str  # in the booking's currency, under the terms (staff: in full)
    currency: str
    terms: str


def pending_cancellation(*, booking: Booking) -> PendingCancellation | None:
    """The booking's cancellation still pending at the supplier (its hold ``cancelling``), as it
    was asked: when, the refund method and the refund the terms give; None when there is none."""
    from bookings.models import SupplierHold

    if not booking.is_supplier or not SupplierHold.objects.filter(
            booking=booking, status=SupplierHold.Status.CANCELLING).exists():
        return None
    asked = (BookingEvent.objects.filter(booking=booking, action="booking.supplier.cancel_requested")
             .order_by("-pk").first())
    data = asked.data if asked else {}
    return PendingCancellation(
        status="pending_at_supplier", requested_at=asked.created_at if asked else booking.updated_at,
        refund_method="credit" if booking.total == 0 else str(data.get("method") or "crypto"),  # credit paid it
        expected_refund=str(data.get("expected_refund") or "0.00"),
        currency=booking.currency, terms=str(data.get("terms") or ""),
    )


def booking_traveller_id(reference: str) -> int | None:
    """The user id of the traveller who placed ``reference`` (payments asks before showing /pay/)."""
    return Booking.objects.filter(reference=reference).values_list("user_id", flat=True).first()
