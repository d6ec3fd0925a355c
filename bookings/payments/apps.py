from django.apps import AppConfig

ENDED_TOPICS = ("booking.expired", "booking.failed", "booking.cancelled")


class PaymentsConfig(AppConfig):
    """Crypto checkout: currencies, exchange rates, invoices, on-chain confirmations, refunds.

    Part of the bookings domain but below the booking core: it knows invoices and who they are
    for (a reference), never the Booking model. It announces what happened to an invoice through
    the outbox (``payment.*`` topics) and the booking core reacts.
    """

    name = "bookings.payments"
    label = "payments"
    verbose_name = "Crypto payments"

    def ready(self):
        from bookings.payments import tasks  # noqa: F401  (registers the subscriber task)
        from core.outbox import subscribe

        for topic in ENDED_TOPICS:  # a booking that ends gives back the platform credit it spent
            subscribe(topic, "payments.on_booking_ended")
