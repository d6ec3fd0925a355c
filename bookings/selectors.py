"""Reads of bookings. A traveller only ever reads their own."""
from dataclasses import dataclass
from datetime import datetime

from bookings.models import Booking, BookingEvent


def bookings_of(*, user):
    return Booking.objects.filter(user=user).select_related("property", "rate_plan").order_by("-created_at")


def booking_of(*, user, reference: str) -> Booking:
    """The traveller's booking; Booking.DoesNotExist for anyone else's (a 404, not a 403)."""
    return Booking.objects.select_related("property", "room_type", "rate_plan").get(user=user, reference=reference)


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


def payment_instructions(*, booking: Booking) -> PaymentInstructions:
    """Where and how much to pay, from the invoice payments opened for this booking."""
    from bookings.payments.models import Invoice
    from bookings.payments.selectors import coin_amount

    invoice = Invoice.objects.select_related("coin").filter(reference=booking.reference).first()
    return PaymentInstructions(
        pay_url=pay_url(booking.reference),
        coin_code=booking.coin_code,
        amount=coin_amount(invoice.amount_due, invoice.coin) if invoice else f"{booking.crypto_amount.normalize():f}",
        address=invoice.address if invoice else "",
        payment_link=invoice.payment_link if invoice else "",
        expires_at=invoice.expires_at if invoice else booking.payment_expires_at,
        status=invoice.status if invoice else "",
    )


def booking_traveller_id(reference: str) -> int | None:
    """The user id of the traveller who placed ``reference`` (payments asks before showing /pay/)."""
    return Booking.objects.filter(reference=reference).values_list("user_id", flat=True).first()
