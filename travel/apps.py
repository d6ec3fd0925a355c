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
