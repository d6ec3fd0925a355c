from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Infrastructure: the outbox and its relay, failed-task records, the task base, HTTP client."""

    name = "core"
    verbose_name = "Platform internals"

    def ready(self):
        from core import collectors, task_base  # noqa: F401  (task_base: log context travels with tasks)

        collectors.register()
