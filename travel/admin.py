"""Catalogue admin. Hotel staff see only the properties they are attached to."""
from django.contrib import admin

from travel.models import Amenity, Destination, FailedTask, OutboxMessage, Property, PropertyPhoto, RoomType


class StaffScopedAdmin(admin.ModelAdmin):
    """Superusers see everything; hotel staff only rows of their own properties.

    Subclasses name the path from their model to ``Property`` in ``property_path``
    (``""`` for Property itself, ``"property"`` for a room type, ``"room_type__property"``...).
    """

    property_path = "property"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        prefix = f"{self.property_path}__" if self.property_path else ""
        return queryset.filter(**{f"{prefix}staff": request.user}).distinct()


class WrittenByServicesMixin:
    """For rows only services write (holds, bookings, invoices, ledgers): the admin shows them,
    and staff change them only through the admin actions that call a service. Nobody adds or
    deletes one by hand. Fields are read-only unless the admin names its own ``readonly_fields``."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields or [f.name for f in self.model._meta.fields]


class ReadOnlyRecordsMixin(WrittenByServicesMixin):
    """For append-only records (event logs, ledger entries): not even the change form saves."""

    def has_change_permission(self, request, obj=None):
        return False


class PhotoInline(admin.TabularInline):
    model = PropertyPhoto
    extra = 0


class RoomTypeInline(admin.TabularInline):
    model = RoomType
    extra = 0
    fields = ("code", "name", "max_occupancy", "bed", "size_sqm")


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "country")


@admin.register(Property)
class PropertyAdmin(StaffScopedAdmin):
    property_path = ""
    list_display = ("name", "destination", "star_rating", "is_active")
    list_filter = ("destination", "star_rating", "is_active")
    search_fields = ("name", "slug", "locality")
    filter_horizontal = ("amenities", "staff")
    inlines = [RoomTypeInline, PhotoInline]


@admin.register(RoomType)
class RoomTypeAdmin(StaffScopedAdmin):
    list_display = ("name", "property", "code", "max_occupancy")
    list_filter = ("property",)


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "key", "created_at", "published_at", "attempts")
    list_filter = ("topic",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ("task_name", "task_id", "failed_at", "resolved_at")
    list_filter = ("task_name",)
    readonly_fields = ("task_name", "task_id", "args", "kwargs", "error", "failed_at")
