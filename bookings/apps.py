from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        from bookings import tasks  # noqa: F401  (registers the subscriber tasks in every process)
        from core.outbox import subscribe

        # payments' invoice news moves the booking along (bookings.services.lifecycle).
        subscribe("payment.*", "bookings.on_payment")
