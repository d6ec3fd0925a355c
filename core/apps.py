from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Infrastructure: the outbox and its relay, failed-task records, the task base, HTTP client."""

    name = "core"
    verbose_name = "Platform internals"

    def ready(self):
        # task_base: log context travels with tasks; relay: registers its after-fork reset early,
        # its thread itself starts on first use in each process (gunicorn and prefork fork later).
        from core import collectors, relay, task_base  # noqa: F401

        collectors.register()
