from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Crypto checkout: currencies, exchange rates, invoices, on-chain confirmations, refunds.

    Part of the bookings domain but below the booking core: it knows invoices and who they are
    for (a reference), never the Booking model. It announces what happened to an invoice through
    the outbox (``payment.*`` topics) and the booking core reacts.
    """

    name = "bookings.payments"
    label = "payments"
    verbose_name = "Crypto payments"
