"""Inventory admin: read-only lists, and the calendar grid where staff edit through inventory_adjust.

Availability never changes through a plain model form: every edit goes through the service, with
the version the editor saw, so a booking made meanwhile turns the edit into a clear conflict.
Hotel staff see and edit only the properties they are attached to (``Property.staff``).
"""
from django.contrib import admin
from django.dispatch import receiver
from django.urls import path

from catalogue.admin import StaffScopedAdmin, room_types_added
from core.admin import WrittenByServicesMixin
from inventory.calendar import CalendarView
from inventory.models import ChannelRequest, Hold, HoldNight, Rate, RatePlan, RoomNight
from inventory.services.horizon import inventory_horizon_extend, inventory_horizon_extend_property


@receiver(room_types_added, dispatch_uid="inventory.open_horizon")
def open_horizon(sender, *, room_types, **kwargs):
    """A room type added in the admin has its nights and rates at once (not at the next daily roll)."""
    for room_type in room_types:
        inventory_horizon_extend(room_type=room_type, source="horizon:new-room-type")


@admin.register(RoomNight)
class RoomNightAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "room_type__property"
    list_display = ("room_type", "date", "total", "available", "stop_sell", "min_stay", "closed_to_arrival",
                    "closed_to_departure", "version")
    list_filter = ("room_type__property", "stop_sell")
    date_hierarchy = "date"
    list_select_related = ("room_type__property",)
    change_list_template = "admin/inventory/roomnight/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(CalendarView.as_view(model_admin=self))
        return [path("calendar/", view, name="inventory_calendar"), *super().get_urls()]


@admin.register(RatePlan)
class RatePlanAdmin(StaffScopedAdmin):
    list_display = ("name", "property", "code", "refundable", "free_cancellation_days")
    list_filter = ("property", "refundable")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # a new plan is priced like the property's other plans, up to the horizon
            inventory_horizon_extend_property(prop=obj.property)


@admin.register(Rate)
class RateAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "room_type__property"
    list_display = ("room_type", "rate_plan", "date", "single", "double", "extra_guest", "version")
    list_filter = ("rate_plan__property",)
    date_hierarchy = "date"
    list_select_related = ("room_type__property", "rate_plan")


class HoldNightInline(WrittenByServicesMixin, admin.TabularInline):
    model = HoldNight
    extra = 0
    readonly_fields = ("room_night", "rooms")


@admin.register(Hold)
class HoldAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "room_type__property"
    list_display = ("reference", "room_type", "check_in", "check_out", "rooms", "source", "status", "created_at")
    list_filter = ("status", "source")
    search_fields = ("reference",)
    inlines = [HoldNightInline]


@admin.register(ChannelRequest)
class ChannelRequestAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "room_type__property"
    list_display = ("reference", "source", "kind", "room_type", "check_in", "check_out", "status", "outcome",
                    "queues")
    list_filter = ("status", "kind", "source")
    search_fields = ("reference",)
