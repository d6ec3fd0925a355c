"""Admin foundations: who may see what.

Two kinds of staff use /admin/. The platform's admins are superusers and see everything. Hotel
staff are ``is_staff`` users attached to their properties (``Property.staff``); a group gives
them model permissions, and on top of that every page, choice and action is cut down to their
own properties, so no group can be generous enough to show them another hotel. See
docs/staff.md.

- ``StaffScopedAdmin``: an admin hotel staff may use. It names the path from its model to
  ``Property`` in ``property_path``; querysets, object permissions, foreign-key and many-to-many
  choices (through the related model's own admin), list filters and therefore actions,
  autocompletes and the changelist are all scoped through it.
- ``PlatformAdminMixin``: platform internals (outbox, failed tasks, payments, loyalty ledgers,
  channels, users and groups, celery beat...): superusers only, whatever a group grants.
- ``guard_admin_site()`` runs once every app's admin is registered and makes any admin that is
  not a ``StaffScopedAdmin`` platform-only: a new or third-party admin is hidden from hotel
  staff until someone declares its path to a property.
"""
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver

from travel.models import Amenity, Destination, FailedTask, OutboxMessage, Property, PropertyPhoto, RoomType

# --- the platform's part: no domain knowledge -----------------------------------------------

class SafeChangeList(ChangeList):
    """A changelist that answers an impossible filter or date drill-down (``?date__year=99999999999``,
    ``?date__year=9999&date__month=12``) with the admin's own "bad filter" redirect and a
    message saying so, instead of a 500 (or a silent redirect)."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except IncorrectLookupParameters:
            messages.error(request, "That filter or date is not valid: showing the whole list.")
            raise
        except (OverflowError, ValueError) as exc:
            messages.error(request, "That date is out of range: showing the whole list.")
            raise IncorrectLookupParameters(exc) from exc


class GuardedAdminMixin:
    def get_changelist(self, request, **kwargs):
        return SafeChangeList


def _is_platform(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class PlatformAdminMixin(GuardedAdminMixin):
    """Platform internals: only superusers see the module, its lists, forms and custom URLs."""

    def has_module_permission(self, request):
        return _is_platform(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_platform(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return _is_platform(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return _is_platform(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_platform(request) and super().has_delete_permission(request, obj)

    @property
    def urls(self):
        # ``urls`` (not ``get_urls``): it also covers the views a subclass adds in its get_urls.
        return [_platform_only(pattern) for pattern in self.get_urls()]


def _platform_only(pattern):
    """Custom views (``get_urls``) of a platform admin check only ``is_staff``: add the rule."""
    if isinstance(pattern, URLResolver):
        return pattern
    view = pattern.callback

    def platform_view(request, *args, **kwargs):
        if request.user.is_authenticated and not _is_platform(request):
            raise PermissionDenied  # signed-out visitors fall through to the admin's login page
        return view(request, *args, **kwargs)

    platform_view.__wrapped__ = view
    return URLPattern(pattern.pattern, platform_view, pattern.default_args, pattern.name)


class PlatformAdmin(PlatformAdminMixin, admin.ModelAdmin):
    pass


def guard_admin_site(site=admin.site) -> None:
    """Make every admin that does not scope its own rows (``staff_scoped``) platform-only: fail
    closed for third-party admins and for any admin added later."""
    for model, model_admin in list(site._registry.items()):
        if getattr(model_admin, "staff_scoped", False) or isinstance(model_admin, PlatformAdminMixin):
            continue
        guarded = type(type(model_admin).__name__, (PlatformAdminMixin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, guarded)


# --- hotel staff: the catalogue's part (rows reach a Property) -------------------------------

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
        if _is_platform(request):
            return queryset
        lookup = f"{self.property_path}__in" if self.property_path else "pk__in"
        return queryset.filter(**{lookup: staff_properties(request.user).values("pk")})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def _owns(self, request, obj) -> bool:
        if obj is None or _is_platform(request):
            return True
        return self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        allowed = _is_platform(request) or self.staff_may_add
        return allowed and super().has_add_permission(request, *args, **kwargs)

    def has_delete_permission(self, request, obj=None):
        allowed = _is_platform(request) or self.staff_may_delete
        return allowed and super().has_delete_permission(request, obj) and self._owns(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if _is_platform(request):
            return fields
        return fields + tuple(f for f in self.platform_fields if f not in fields)

    # --- choices --------------------------------------------------------------------------
    def choices_for(self, request, model):
        """What hotel staff may pick in a field pointing at ``model``: through the model's own
        scoped admin; only themselves for a user; shared reference data (destinations, amenities)
        as is. ``None``: no restriction."""
        if _is_platform(request):
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
        if _is_platform(request):
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
class DestinationAdmin(PlatformAdmin):
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


@admin.register(RoomType)
class RoomTypeAdmin(StaffScopedAdmin):
    list_display = ("name", "property", "code", "max_occupancy")
    list_filter = ("property",)


@admin.register(Amenity)
class AmenityAdmin(PlatformAdmin):
    list_display = ("name", "code")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PlatformAdmin):
    list_display = ("id", "topic", "key", "created_at", "published_at", "attempts")
    list_filter = ("topic",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(FailedTask)
class FailedTaskAdmin(PlatformAdmin):
    list_display = ("task_name", "task_id", "failed_at", "resolved_at")
    list_filter = ("task_name",)
    readonly_fields = ("task_name", "task_id", "args", "kwargs", "error", "failed_at")
