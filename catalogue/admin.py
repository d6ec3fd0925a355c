"""Catalogue admin. Hotel staff see only the properties they are attached to."""
from django.contrib import admin

from catalogue.models import Amenity, Destination, Property, PropertyPhoto, RoomType


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
