"""Catalogue admin, and the one mechanism that scopes an admin to hotel staff's own properties.

- ``StaffScopedAdmin``: an admin hotel staff may use. It names the path from its model to
  ``Property`` in ``property_path``; querysets, object permissions, foreign-key and many-to-many
  choices (through the related model's own admin), list filters and therefore actions,
  autocompletes and the changelist are all scoped through it. See docs/staff.md.
- ``room_types_added``: sent when the admin has saved new room types (of a new or an existing
  property), so that ``inventory``, which sits above the catalogue, opens their nights and rates.
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.dispatch import Signal
from django.utils.html import format_html

from catalogue.forms import PictureUploadForm, PropertyPhotoForm
from catalogue.models import Amenity, Destination, Property, PropertyPhoto, RoomType
from core.admin import GuardedAdminMixin, PlatformAdmin, is_platform


def staff_properties(user):
    """The properties a hotel staff member works for (all of them for a superuser)."""
    properties = Property.objects.all()
    return properties if user.is_superuser else properties.filter(staff=user)


class StaffScopedAdmin(GuardedAdminMixin, admin.ModelAdmin):
    """Superusers see everything; hotel staff only rows of their own properties.

    Subclasses name the path from their model to ``Property`` in ``property_path``
    (``""`` for Property itself, ``"property"`` for a room type, ``"room_type__property"``...).
    ``staff_may_add`` / ``staff_may_delete`` say whether hotel staff may add or delete rows at all
    (within their properties); ``platform_fields`` are shown to them read-only.
    """

    staff_scoped = True  # guard_admin_site leaves it to hotel staff, within their properties
    property_path = "property"
    staff_may_add = True
    staff_may_delete = True
    platform_fields: tuple[str, ...] = ()

    # --- rows -----------------------------------------------------------------------------
    def scope(self, request, queryset):
        if is_platform(request):
            return queryset
        lookup = f"{self.property_path}__in" if self.property_path else "pk__in"
        return queryset.filter(**{lookup: staff_properties(request.user).values("pk")})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def _owns(self, request, obj) -> bool:
        if obj is None or is_platform(request):
            return True
        return self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        allowed = is_platform(request) or self.staff_may_add
        return allowed and super().has_add_permission(request, *args, **kwargs)

    def has_delete_permission(self, request, obj=None):
        allowed = is_platform(request) or self.staff_may_delete
        return allowed and super().has_delete_permission(request, obj) and self._owns(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if is_platform(request):
            return fields
        return fields + tuple(f for f in self.platform_fields if f not in fields)

    # --- choices --------------------------------------------------------------------------
    def choices_for(self, request, model):
        """What hotel staff may pick in a field pointing at ``model``: through the model's own
        scoped admin; only themselves for a user; shared reference data (destinations, amenities)
        as is. ``None``: no restriction."""
        if is_platform(request):
            return None
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, StaffScopedAdmin):
            return related_admin.scope(request, model._default_manager.all())
        if model is get_user_model():
            return model._default_manager.filter(pk=request.user.pk)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.choices_for(request, db_field.remote_field.model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = self.choices_for(request, db_field.remote_field.model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        """A filter on a relation offers only the related rows this user's rows point at."""
        filters = super().get_list_filter(request)
        if is_platform(request):
            return filters
        return [self._scoped_filter(entry) for entry in filters]

    def _scoped_filter(self, entry):
        if not isinstance(entry, str):
            return entry
        model, field = self.model, None
        for name in entry.split("__"):
            field = model._meta.get_field(name)
            model = field.related_model if field.is_relation else model
        return (entry, admin.RelatedOnlyFieldListFilter) if field.is_relation else entry


# Sent with ``room_types`` (a list) inside the admin's transaction; receivers must be idempotent.
room_types_added = Signal()


class PictureAdminMixin:
    """Rows with a ``picture``: an upload field (PictureUploadForm) and a preview, never a list of
    every stored picture to pick from."""

    form = PictureUploadForm
    exclude = ("picture",)
    readonly_fields = ("preview",)

    @admin.display(description="Photo shown")
    def preview(self, obj):
        picture = obj.picture if obj and obj.pk else None
        if picture is None:
            url = getattr(obj, "url", "") or getattr(obj, "image_url", "")
            return format_html('<img src="{}" alt="" width="160">', url) if url else "—"
        return format_html('<img src="{}" alt="" width="160"><br>{} × {} px, {} renditions', picture.url(480),
                           picture.width, picture.height, len(picture.renditions))


class PhotoInline(PictureAdminMixin, admin.TabularInline):
    model = PropertyPhoto
    form = PropertyPhotoForm
    extra = 0
    fields = ("preview", "upload", "url", "alt", "position")


class RoomTypeInline(PictureAdminMixin, admin.TabularInline):
    model = RoomType
    extra = 0
    fields = ("code", "name", "max_occupancy", "bed", "size_sqm", "preview", "upload")


@admin.register(Destination)
class DestinationAdmin(PictureAdminMixin, PlatformAdmin):
    list_display = ("name", "country", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "country")


@admin.register(Property)
class PropertyAdmin(StaffScopedAdmin):
    property_path = ""
    staff_may_add = False  # a new hotel, and who works for it, is the platform's decision
    staff_may_delete = False
    platform_fields = ("staff", "slug", "is_active")
    list_display = ("name", "destination", "star_rating", "is_active")
    list_filter = ("destination", "star_rating", "is_active")
    search_fields = ("name", "slug", "locality")
    filter_horizontal = ("amenities", "staff")
    inlines = [RoomTypeInline, PhotoInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is RoomType and formset.new_objects:
            room_types_added.send(sender=RoomType, room_types=list(formset.new_objects))


@admin.register(RoomType)
class RoomTypeAdmin(PictureAdminMixin, StaffScopedAdmin):
    list_display = ("name", "property", "code", "max_occupancy")
    list_filter = ("property",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            room_types_added.send(sender=RoomType, room_types=[obj])


@admin.register(Amenity)
class AmenityAdmin(PlatformAdmin):
    list_display = ("name", "code")
