"""The front desk in the admin: a custom view of the property admin, so it is scoped exactly like
the property pages (hotel staff see only their hotels; a superuser picks any).

Registered by re-registering ``Property`` with this subclass of the catalogue's admin: the view
reads bookings and channels, which the catalogue (the lowest domain layer) may not import.
"""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path

from catalogue.admin import PropertyAdmin
from catalogue.models import Property
from travel.staff.frontdesk import WINDOW_DAYS, front_desk

ID_DIGITS = 18


class FrontDeskPropertyAdmin(PropertyAdmin):
    def get_urls(self):
        view = self.admin_site.admin_view(self.front_desk_view)
        return [path("front-desk/", view, name="catalogue_property_frontdesk"), *super().get_urls()]

    def front_desk_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        properties = self.get_queryset(request).order_by("name")
        prop = self._chosen(properties, request.GET.get("property"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Front desk{f' · {prop.name}' if prop else ''}",
            "opts": self.model._meta,
            "properties": properties, "property": prop, "window_days": WINDOW_DAYS,
            "desk": front_desk(prop=prop) if prop is not None else None,
        }
        return TemplateResponse(request, "admin/staff/front_desk.html", context)

    @staticmethod
    def _chosen(properties, raw):
        """The property asked for (404 when it is not one of the user's), else the first one."""
        if raw is None:
            return properties.first()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS):
            raise Http404("Unknown property.")
        prop = properties.filter(pk=int(raw)).first()
        if prop is None:
            raise Http404("Unknown property.")
        return prop


admin.site.unregister(Property)
admin.site.register(Property, FrontDeskPropertyAdmin)
