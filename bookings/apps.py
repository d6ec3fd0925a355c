from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        from bookings import tasks  # noqa: F401  (registers the subscriber tasks in every process)
        from bookings.emails.kinds import TOPIC_KINDS
        from bookings.metrics import bookings_by_state
        from bookings.payments.access import register_reference_owner
        from bookings.selectors import booking_traveller_id
        from core.metrics import register_collector
        from core.outbox import subscribe

        # payments' invoice news moves the booking along (bookings.services.lifecycle).
        subscribe("payment.*", "bookings.on_payment")

        # The traveller hears of each step by email, once (bookings.services.emails).
        for topic in TOPIC_KINDS:
            subscribe(topic, "bookings.email_on_event")

        # The payment page of a booking opens for its traveller (bookings.payments.access).
        register_reference_owner(booking_traveller_id)

        register_collector("bookings.by_state", bookings_by_state)
