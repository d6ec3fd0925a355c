"""Staff views of bookings and the review queue. Hotel staff see only their properties;
supplier bookings (no property) are for the platform's admins.

Each review item shows the booking's event timeline and offers: retry (supplier confirmation),
cancel and refund, or resolve with a note; each action is recorded as a booking event.
"""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join

from bookings.models import Booking, BookingEvent, ReviewItem, SupplierHold
from bookings.selectors import booking_timeline
from bookings.services.review import review_cancel_refund, review_resolve, review_retry
from catalogue.admin import StaffScopedAdmin
from core.admin import ReadOnlyRecordsMixin, WrittenByServicesMixin


def timeline_html(booking: Booking):
    events = booking_timeline(booking=booking)
    if not events:
        return "—"
    rows = format_html_join(
        "", "<li><time>{}</time> · <strong>{}</strong>{} <span>by {}</span> <code>{}</code></li>",
        ((e.created_at.strftime("%Y-%m-%d %H:%M:%S"), e.action, f" → {e.status_to}" if e.status_to else "",
          e.actor.username if e.actor else e.actor_label, e.data or "") for e in events),
    )
    return format_html('<ol class="booking-timeline">{}</ol>', rows)


class EventInline(ReadOnlyRecordsMixin, admin.TabularInline):
    model = BookingEvent
    extra = 0
    fields = ("created_at", "action", "status_from", "status_to", "actor_label", "actor", "data")
    readonly_fields = fields


class SupplierHoldInline(WrittenByServicesMixin, admin.StackedInline):
    model = SupplierHold
    extra = 0
    readonly_fields = ("kind", "offer_id", "supplier", "price", "currency", "status", "supplier_ref", "attempts",
                       "last_error", "details")
    fields = readonly_fields


@admin.register(Booking)
class BookingAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "property"
    list_display = ("reference", "title", "kind", "status", "total", "currency", "check_in", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("reference", "title", "user__username", "user__email")
    inlines = [SupplierHoldInline, EventInline]


ACTIONS = {
    "retry": "Retry supplier confirmation",
    "cancel_refund": "Cancel and refund",
    "resolve": "Resolve with note",
}


@admin.register(ReviewItem)
class ReviewItemAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "booking__property"
    change_form_template = "bookings/admin/review_change_form.html"
    list_display = ("booking", "reason", "status", "created_at", "resolved_by")
    list_filter = ("status", "reason")
    search_fields = ("booking__reference",)
    readonly_fields = ("booking_link", "booking_status", "reason", "detail", "status", "note", "created_at",
                       "resolved_at", "resolved_by", "timeline")
    fields = readonly_fields

    @admin.display(description="Booking")
    def booking_link(self, obj):
        return format_html('<a href="../../../booking/{}/change/">{}</a> · {}', obj.booking_id, obj.booking.reference,
                           obj.booking.title)

    @admin.display(description="Booking status")
    def booking_status(self, obj):
        return obj.booking.get_status_display()

    @admin.display(description="Event timeline")
    def timeline(self, obj):
        return timeline_html(obj.booking)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and request.POST.get("_review_action") in ACTIONS:
            return self._act(request, object_id)
        actions = dict(ACTIONS)
        item = self._item(request, object_id) if object_id else None
        if item is None or not (item.booking.is_supplier and item.booking.status == Booking.Status.PAYMENT_CONFIRMED):
            actions.pop("retry")
        extra_context = {**(extra_context or {}), "review_actions": actions}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _item(self, request, object_id) -> ReviewItem | None:
        """The item, scoped to what this user may see; None for an unknown or malformed id."""
        try:
            return self.get_queryset(request).filter(pk=object_id).select_related("booking").first()
        except (ValueError, ValidationError):
            return None

    def _act(self, request, object_id):
        item = self._item(request, object_id)
        if item is None or not self.has_change_permission(request, item):
            messages.error(request, "You cannot act on this item.")
            return HttpResponseRedirect("../")
        action, note = request.POST["_review_action"], request.POST.get("review_note", "").strip()
        method = request.POST.get("refund_method") or "crypto"
        try:
            if action == "retry":
                review_retry(item=item, staff=request.user, note=note)
            elif action == "cancel_refund":
                review_cancel_refund(item=item, staff=request.user, note=note, method=method)
            else:
                review_resolve(item=item, staff=request.user, note=note)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, f"{ACTIONS[action]}: done for {item.booking.reference}.")
        return HttpResponseRedirect(request.path)
