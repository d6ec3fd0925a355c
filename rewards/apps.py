from django.apps import AppConfig

SUBSCRIPTIONS = {
    "booking.placed": "rewards.on_booking_placed",
    "booking.confirmed": "rewards.on_booking_confirmed",
    "booking.cancelled": "rewards.on_booking_ended",
    "booking.expired": "rewards.on_booking_ended",
    "booking.failed": "rewards.on_booking_ended",
    "booking.no_show": "rewards.on_booking_no_show",
    "stay.completed": "rewards.on_stay_completed",
}


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = "Rewards"

    def ready(self):
        from bookings.redemption import register_redemption_provider
        from core.outbox import subscribe
        from rewards import tasks  # noqa: F401  (registers the subscriber tasks)
        from rewards.redemption import PointsRedemption

        for topic, task_name in SUBSCRIPTIONS.items():
            subscribe(topic, task_name)
        register_redemption_provider(PointsRedemption())
