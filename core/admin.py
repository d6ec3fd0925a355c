"""Admin building blocks for every app, and the platform's own records (outbox, failed tasks)."""
from django.contrib import admin

from core.models import FailedTask, OutboxMessage


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
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "key", "created_at", "published_at", "attempts")
    list_filter = ("topic",)
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ("task_name", "task_id", "failed_at", "resolved_at")
    list_filter = ("task_name",)
    readonly_fields = ("task_name", "task_id", "args", "kwargs", "error", "failed_at")
