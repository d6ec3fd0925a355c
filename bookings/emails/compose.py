"""One email for one booking: recipients, subject, text and HTML bodies, and (for the voucher)
the calendar file. Reads only; sending is ``bookings.services.emails``."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from bookings.emails.ics import voucher_ics
from bookings.emails.kinds import SUBJECTS, EmailKind
from bookings.guests import phone_display
from bookings.models import Booking


@dataclass(frozen=True)
class Place:
    """Where the traveller goes: a hotel's name, address and contact (what we know of it)."""

    name: str
    address: str
    phone: str
    check_in_time: str
    check_out_time: str


def recipients(booking: Booking) -> list[str]:
    """The lead guest (the contact given at booking) and the account that booked, once each."""
    found = []
    for address in (booking.lead_email, booking.user.email):
        if address and address.lower() not in (a.lower() for a in found):
            found.append(address)
    return found


def email_message(*, booking: Booking, kind: str) -> EmailMultiAlternatives:
    context = email_context(booking=booking, kind=kind)
    subject = SUBJECTS[EmailKind(kind)].format(reference=booking.reference)
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"emails/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL, to=recipients(booking),
    )
    message.attach_alternative(render_to_string(f"emails/{kind}.html", context), "text/html")
    if kind == EmailKind.CONFIRMED:
        place = context["place"]
        message.attach(f"booking-{booking.reference}.ics",
                       voucher_ics(booking, location=", ".join(p for p in (place.name, place.address) if p)),
                       "text/calendar; method=PUBLISH; charset=utf-8")
    return message


def email_context(*, booking: Booking, kind: str) -> dict:
    site = settings.SITE_URL.rstrip("/")
    return {
        "booking": booking, "kind": kind, "site_url": site, "booking_url": f"{site}/bookings/{booking.reference}/",
        "guest_names": [booking.lead_name, *(g.name for g in booking.other_guests.all())] if booking.lead_name else [],
        "lead_phone": phone_display(booking.lead_phone) if booking.lead_phone else "",
        "place": place_of(booking), "terms": cancellation_policy(booking),
        **_payment(booking, site),
        "refund_method": _last_event_data(booking, "booking.cancelled").get("refund_method", ""),
        **_refund_claims(booking, kind),
    }


def cancellation_policy(booking: Booking) -> str:
    """The rate's cancellation terms as the traveller agreed to them (the same rule as
    ``bookings.services.lifecycle.cancellation_terms``, told ahead of time)."""
    if not booking.refundable:
        return "This rate is non-refundable: cancelling gives no refund."
    if booking.check_in is None:
        return "Free cancellation: cancelling gives a full refund."
    deadline = booking.check_in - timedelta(days=booking.free_cancellation_days)
    where = "the hotel's date" if booking.property_id else "UTC"
    return (f"Free cancellation until the end of {deadline:%a %d %b %Y} ({where}): a full refund. "
            "After that, cancelling gives no refund.")


def place_of(booking: Booking) -> Place:
    if booking.property_id:
        p = booking.property
        address = ", ".join(part for part in (p.street_address, p.postal_code and f"{p.postal_code} {p.locality}"
                                              or p.locality, p.region, p.country_code) if part)
        return Place(name=p.name, address=address, phone=p.phone, check_in_time=p.check_in_time.strftime("%H:%M"),
                     check_out_time=p.check_out_time.strftime("%H:%M"))
    details = getattr(getattr(booking, "supplier_hold", None), "details", None) or {}
    return Place(name=str(details.get("name") or booking.title), address=str(details.get("city") or ""),
                 phone="", check_in_time=str(details.get("start_time") or ""), check_out_time="")


def _payment(booking: Booking, site: str) -> dict:
    """The invoice's figures in the coin and the signed link to pay from any device."""
    from bookings.payments.access import pay_link
    from bookings.payments.models import Invoice, Refund
    from bookings.payments.selectors import coin_amount

    invoice = Invoice.objects.select_related("coin").filter(reference=booking.reference).first()
    if invoice is None:
        return {"amount_due": f"{booking.crypto_amount.normalize():f}", "amount_paid": "", "amount_left": "",
                "pay_link": f"{site}/pay/{booking.reference}/", "pay_by": booking.payment_expires_at,
                "refunded": Decimal("0.00"), "paid_something": False}
    left = max(Decimal(0), invoice.amount_due - invoice.amount_paid)
    refunded = sum((r.fiat_amount for r in invoice.refunds.exclude(status=Refund.Status.FAILED)), Decimal("0.00"))
    return {
        "amount_due": coin_amount(invoice.amount_due, invoice.coin),
        "amount_paid": coin_amount(invoice.amount_paid, invoice.coin),
        "amount_left": coin_amount(left, invoice.coin),
        "pay_link": site + pay_link(reference=booking.reference, expires_at=invoice.monitoring_until),
        "pay_by": invoice.expires_at, "refunded": refunded, "paid_something": invoice.amount_paid > 0,
    }


def _refund_claims(booking: Booking, kind: str) -> dict:
    """For the "refunded" email: each crypto refund's claim link (the traveller's to open)."""
    if kind != EmailKind.REFUNDED:
        return {}
    from bookings.payments.selectors import refund_claims_of

    return {"refund_claims": [c for c in refund_claims_of(reference=booking.reference) if c.claim_link]}


def _last_event_data(booking: Booking, action: str) -> dict:
    event = booking.events.filter(action=action).order_by("-created_at", "-id").first()
    return event.data if event else {}
