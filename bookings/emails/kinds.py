"""The emails a traveller gets, and which outbox topic sends which.

Domain events that already exist send their email through the ``bookings.email_on_event``
subscriber; payment news the booking itself interprets (a payment is "received" only when it
moves a pending booking on) is queued by ``bookings.services.lifecycle`` as ``bookings.send_email``.
"""
from django.db import models


class EmailKind(models.TextChoices):
    RECEIVED = "received", "Booking received"
    CONFIRMED = "confirmed", "Booking confirmed (voucher)"
    PAYMENT_RECEIVED = "payment_received", "Payment received"
    PAYMENT_PARTIAL = "payment_partial", "Part of the payment received"
    PAYMENT_EXPIRED = "payment_expired", "Payment window closed"
    CANCELLED = "cancelled", "Booking cancelled"
    REFUNDED = "refunded", "Refund sent"


SUBJECTS = {
    EmailKind.RECEIVED: "Booking {reference} received: complete your payment",
    EmailKind.CONFIRMED: "Booking {reference} confirmed: your voucher",
    EmailKind.PAYMENT_RECEIVED: "Payment received for booking {reference}",
    EmailKind.PAYMENT_PARTIAL: "Booking {reference}: part of your payment arrived",
    EmailKind.PAYMENT_EXPIRED: "Booking {reference} expired: it was not paid in time",
    EmailKind.CANCELLED: "Booking {reference} cancelled",
    EmailKind.REFUNDED: "Booking {reference}: your refund is on its way",
}

TOPIC_KINDS = {
    "booking.placed": EmailKind.RECEIVED,
    "booking.confirmed": EmailKind.CONFIRMED,
    "booking.expired": EmailKind.PAYMENT_EXPIRED,
    "booking.cancelled": EmailKind.CANCELLED,
}
