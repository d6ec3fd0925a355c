from django.apps import AppConfig


class TravelConfig(AppConfig):
    name = "travel"
    verbose_name = "Public site"

    def ready(self):
        # After django.contrib.admin (listed first) has registered every app's admin: anything
        # not scoped to hotel staff's properties becomes platform-only (core/admin.py).
        from django.contrib import admin

        from core.admin import guard_admin_site

        guard_admin_site(admin.site)

        # Register every app's tasks now, while one thread starts the process: the outbox hands
        # tasks over by name, and a lazy first lookup from many request threads at once could
        # find a task module half-imported.
        from travel.celery import app

        app.autodiscover_tasks(force=True)
