from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "channels"
    verbose_name = "Channel manager"

    def ready(self):
        from channels import tasks  # noqa: F401  (registers the subscriber task)
        from channels.metrics import open_dirty_marks
        from core.metrics import register_collector
        from core.outbox import subscribe

        subscribe("inventory.channel_request.*", "channels.on_request_decided")
        subscribe("inventory.changed", "channels.on_inventory_changed")

        register_collector("channels.dirty_marks", open_dirty_marks)
