from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Infrastructure: the outbox and its relay, failed-task records, the task base, HTTP client."""

    name = "core"
    verbose_name = "Platform internals"
