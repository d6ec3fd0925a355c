"""Admin foundations that know no hotel: who may see the platform's internals.

Two kinds of staff use /admin/. The platform's admins are superusers and see everything. Hotel
staff are ``is_staff`` users attached to their properties; what they may see is scoped by the
catalogue's ``StaffScopedAdmin`` (catalogue/admin.py). See docs/staff.md.

- ``PlatformAdminMixin``: platform internals (outbox, failed tasks, payments, loyalty ledgers,
  channels, users and groups, celery beat...): superusers only, whatever a group grants.
- ``guard_admin_site()`` runs once every app's admin is registered and makes any admin that does
  not declare ``staff_scoped`` platform-only: a new or third-party admin is hidden from hotel
  staff until someone declares its path to a property.
- ``SafeChangeList``: an impossible filter or date drill-down is a message, never a 500.
- ``WrittenByServicesMixin`` / ``ReadOnlyRecordsMixin``: rows only services write.
"""
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver
from django.utils.translation import ngettext

from core.dead_letters import dead_letter_redrive
from core.models import FailedTask, OutboxMessage


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


def is_platform(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class PlatformAdminMixin(GuardedAdminMixin):
    """Platform internals: only superusers see the module, its lists, forms and custom URLs."""

    def has_module_permission(self, request):
        return is_platform(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_platform(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return is_platform(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return is_platform(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_platform(request) and super().has_delete_permission(request, obj)

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
        if request.user.is_authenticated and not is_platform(request):
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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PlatformAdmin):
    list_display = ("id", "topic", "key", "created_at", "published_at", "attempts")
    list_filter = ("topic",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(FailedTask)
class FailedTaskAdmin(PlatformAdmin):
    """Dead letters: the tasks that used up their retries. Staff read them and re-drive them."""

    list_display = ("task_name", "task_id", "failed_at", "resolved_at", "resolution_note")
    list_filter = ("task_name", ("resolved_at", admin.EmptyFieldListFilter))
    readonly_fields = ("task_name", "task_id", "args", "kwargs", "error", "failed_at")
    actions = ["redrive"]

    @admin.action(description="Re-drive: send the selected tasks again with their arguments")
    def redrive(self, request, queryset):
        sent = sum(dead_letter_redrive(failed_task_id=pk, by=request.user.get_username())
                   for pk in queryset.values_list("pk", flat=True))
        skipped = queryset.count() - sent
        self.message_user(request, f"Sent {sent} {ngettext('task', 'tasks', sent)} again." + (
            f" {skipped} already re-driven or resolved: not sent twice." if skipped else ""), messages.SUCCESS)
