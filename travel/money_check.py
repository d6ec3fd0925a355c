"""Every coin and point accounted for: the check behind ``manage.py money_check`` and its daily
beat task. It lives in the site layer because it reads across bookings, payments and rewards.

For every booking, in its coin's own decimals (Decimal only):

    total (fiat)      = subtotal - points discount - credit spent
    amount due (coin) = total / locked rate, rounded up to the coin's decimals
    received (coin)   = amount due + excess - shortfall (once the invoice is settled; a shortfall
                        within the coin's tolerance counts as paid)
    refunds + credits <= received

A booking that credit and points paid entirely has no invoice: its total is 0 (amount paid =
price - points - credit = 0), nothing is due in a coin, and the credit given back when it is
cancelled is at most the credit it spent. Plus every invoice's own sums (bookings/payments/audit.py), every points balance and every
credit balance equal to the sum of its ledger entries, and no float column anywhere money lives.
"""
from decimal import Decimal

from django.apps import apps
from django.db import models

from bookings.models import Booking
from bookings.payments.audit import Disagreement, credit_returned_to, credit_spent_on, payment_disagreements
from bookings.payments.models import Invoice
from bookings.payments.selectors import crypto_amount_for
from rewards.models import BookingPoints
from rewards.points import points_value
from rewards.selectors import ledger_mismatches

PAID = (Booking.Status.PAYMENT_CONFIRMED, Booking.Status.CONFIRMED, Booking.Status.COMPLETED)
MONEY_APPS = ("bookings", "payments", "rewards", "inventory", "channels", "suppliers", "catalogue", "core")


def money_disagreements() -> list[Disagreement]:
    """Everything that does not add up, in a stable order (an empty list: every coin and point is
    accounted for)."""
    return [*float_columns(), *booking_disagreements(), *payment_disagreements(), *points_disagreements()]


def booking_disagreements() -> list[Disagreement]:
    invoices = {i.reference: i for i in Invoice.objects.select_related("coin")}
    points = {p.reference: p for p in BookingPoints.objects.exclude(hold_state=BookingPoints.HoldState.NONE)}
    found = []
    for booking in Booking.objects.order_by("pk").iterator(chunk_size=500):
        found += _booking(booking, invoice=invoices.get(booking.reference), held=points.get(booking.reference))
    return found


def _booking(booking: Booking, *, invoice: Invoice | None, held: BookingPoints | None) -> list[Disagreement]:
    ref, found = booking.reference, []

    def differs(what, expected, actual):
        if expected != actual:
            found.append(Disagreement(ref, what, _text(expected), _text(actual)))

    points_discount = points_value(booking.points_redeemed) if booking.points_redeemed else Decimal("0.00")
    if booking.points_redeemed:
        differs("points held for the booking (rewards)", booking.points_redeemed, held.points_held if held else 0)
    credit = credit_spent_on(ref)
    differs("discount = points + credit", points_discount + credit, booking.discount)
    differs("total = subtotal - points - credit", booking.subtotal - points_discount - credit, booking.total)
    if invoice is None:
        return found + _without_invoice(booking, credit=credit)
    coin = invoice.coin
    differs("invoice fiat amount = booking total", booking.total, invoice.fiat_amount)
    differs("invoice coin = booking coin", booking.coin_code, coin.code)
    differs(f"amount due in {coin.code} = total / rate, up to {coin.decimals} decimals",
            crypto_amount_for(coin=coin, fiat_amount=booking.total, rate=invoice.rate), invoice.amount_due)
    differs(f"booking amount in {coin.code} = invoice amount due", invoice.amount_due, booking.crypto_amount)
    if invoice.status == Invoice.Status.SETTLED:
        differs(f"received in {coin.code} = amount due + excess - shortfall accepted",
                invoice.amount_due + invoice.excess_amount - invoice.shortfall_accepted,
                invoice.amount_paid + invoice.amount_late)
    if booking.status in PAID and invoice.status != Invoice.Status.SETTLED:
        differs("invoice of a paid booking is settled", Invoice.Status.SETTLED.value, invoice.status)
    return found


def _without_invoice(booking: Booking, *, credit: Decimal) -> list[Disagreement]:
    """A booking without invoice: paid entirely by points and credit (total 0, nothing due in a
    coin), and the credit given back on cancelling it is at most what it spent."""
    ref, found = booking.reference, []
    if booking.status in PAID and booking.total != 0:
        found.append(Disagreement(ref, "invoice of a paid booking", "an invoice", "none"))
    if booking.total == 0 and booking.crypto_amount != 0:
        found.append(Disagreement(ref, "amount due in a coin of a booking credit and points paid", "0",
                                  _text(booking.crypto_amount)))
    returned = credit_returned_to(ref)
    if returned > credit:
        found.append(Disagreement(ref, "credit given back <= credit spent", f"<= {credit}", _text(returned)))
    return found


def points_disagreements() -> list[Disagreement]:
    return [Disagreement(f"rewards account {m.account_id}", "points balance = sum of ledger entries",
                         _balance(m.from_entries), _balance(m.cached)) for m in ledger_mismatches()]


def float_columns() -> list[Disagreement]:
    """Money is never a float: no FloatField in the apps that hold money."""
    return [Disagreement(f"{model._meta.label}.{field.name}", "column type", "DecimalField or BigIntegerField",
                         "FloatField")
            for model in apps.get_models() if model._meta.app_label in MONEY_APPS
            for field in model._meta.concrete_fields if isinstance(field, models.FloatField)]


def _balance(b) -> str:
    return f"available {b.available}, pending {b.pending}, held {b.held}"


def _text(value) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)
