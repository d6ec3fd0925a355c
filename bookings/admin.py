"""Staff views of bookings and the review queue. Hotel staff see only their properties;
supplier bookings (no property) are for the platform's admins.

Each review item shows the booking's event timeline and offers: retry (supplier confirmation),
cancel and refund, or resolve with a note; each action is recorded as a booking event.

Bookings offer "Mark as no-show" (a changelist action and a button on the booking's page) to
users holding ``bookings.mark_no_show``: superusers on any own-hotel booking, hotel staff on
their own hotels' only. Each booking gets its own success or refusal message.
"""
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from bookings.errors import NoShowRefused
from bookings.models import Booking, BookingEvent, BookingGuest, ReviewItem, SentEmail, SupplierHold
from bookings.selectors import booking_timeline
from bookings.services.lifecycle import booking_mark_no_show
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


class GuestInline(ReadOnlyRecordsMixin, admin.TabularInline):
    """The other guests (the lead guest's name, email, phone, arrival time and requests are on the
    booking itself)."""

    model = BookingGuest
    extra = 0
    fields = ("position", "name", "date_of_birth", "document_number")
    readonly_fields = fields
    verbose_name = "other guest"


class SentEmailInline(ReadOnlyRecordsMixin, admin.TabularInline):
    model = SentEmail
    extra = 0
    fields = ("kind", "subject", "recipients", "sent_at")
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
    list_display = ("reference", "title", "lead_name", "guests", "kind", "status", "total", "currency", "check_in",
                    "created_at")
    list_filter = ("status", "kind")
    search_fields = ("reference", "title", "lead_name", "lead_email", "user__username", "user__email")
    inlines = [GuestInline, SupplierHoldInline, EventInline, SentEmailInline]
    change_form_template = "bookings/admin/booking_change_form.html"
    actions = ["mark_no_show"]

    def has_mark_no_show_permission(self, request, obj=None):
        return request.user.has_perm("bookings.mark_no_show") and self._owns(request, obj)

    def response_action(self, request, queryset):
        """A malformed selected id is a message, not a 500 (the admin would cast it in a filter)."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if any(not (pk.isascii() and pk.isdigit()) for pk in selected):
            messages.error(request, "Some selected ids are not valid: nothing was done.")
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    @admin.action(description="Mark as no-show", permissions=["mark_no_show"])
    def mark_no_show(self, request, queryset):
        """The queryset is the scoped changelist's; each booking is checked again (scope and the
        service's own rules) and gets its own message. Selected ids outside it are named too."""
        bookings = list(queryset.select_related("property"))
        for booking in bookings:
            self._mark_no_show(request, booking)
        if request.POST.get("select_across") != "1":
            found = {str(b.pk) for b in bookings}
            missing = [pk for pk in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if pk not in found]
            if missing:
                which = ngettext("booking is not at your hotels or no longer exists",
                                 "bookings are not at your hotels or no longer exist", len(missing))
                messages.error(request, f"{len(missing)} selected {which}: not marked as a no-show.")

    def _mark_no_show(self, request, booking: Booking) -> bool:
        if not self.has_mark_no_show_permission(request, booking):
            messages.error(request, f"{booking.reference}: not a booking at your hotels; not marked as a no-show.")
            return False
        try:
            booking_mark_no_show(booking=booking, by=request.user)
        except NoShowRefused as exc:
            messages.error(request, f"{booking.reference}: {exc.message}")
            return False
        messages.success(request, f"{booking.reference}: marked as a no-show.")
        return True

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and "_mark_no_show" in request.POST:
            booking = self._booking(request, object_id)
            if booking is None:
                messages.error(request, "You cannot act on this booking.")
                return HttpResponseRedirect(reverse("admin:bookings_booking_changelist"))
            self._mark_no_show(request, booking)
            return HttpResponseRedirect(request.path)
        booking = self._booking(request, object_id) if object_id else None
        offer = (booking is not None and not booking.is_supplier and booking.status == Booking.Status.CONFIRMED
                 and self.has_mark_no_show_permission(request, booking))
        extra_context = {**(extra_context or {}), "offer_no_show": offer}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _booking(self, request, object_id) -> Booking | None:
        """The booking, scoped to what this user may see; None for an unknown or malformed id."""
        try:
            return self.get_queryset(request).select_related("property").filter(pk=object_id).first()
        except (ValueError, ValidationError):
            return None


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
                item = review_cancel_refund(item=item, staff=request.user, note=note, method=method)
            else:
                review_resolve(item=item, staff=request.user, note=note)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            if item.status == ReviewItem.Status.OPEN:  # cancellation pending at the supplier
                messages.warning(request, f"{item.booking.reference}: {item.note}")
                return HttpResponseRedirect(request.path)
            messages.success(request, f"{ACTIONS[action]}: done for {item.booking.reference}.")
        return HttpResponseRedirect(request.path)
