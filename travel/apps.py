from django.apps import AppConfig


class TravelConfig(AppConfig):
    name = "travel"
    verbose_name = "Catalogue"

    def ready(self):
        # After django.contrib.admin (listed first) has registered every app's admin: anything
        # not scoped to hotel staff's properties becomes platform-only (travel/admin.py).
        from django.contrib import admin

        from travel.admin import guard_admin_site

        guard_admin_site(admin.site)
