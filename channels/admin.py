"""Staff views of the channel manager. Hotel staff see only their own properties' listings and
reservations; reservations for a hotel code nobody listed (no property yet) are for admins.

- Listings carry the room and rate mappings; saving a mapping replays the reservations parked
  for want of it.
- Channel reservations show their revisions and event log, and offer "mark as no-show" and
  "replay parked".
"""
import httpx
from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import ngettext

from catalogue.admin import StaffScopedAdmin
from catalogue.models import RoomType
from channels.adapters.base import ChannelError
from channels.models import (
    Channel,
    ChannelBooking,
    ChannelBookingEvent,
    ChannelRevision,
    DirtyMark,
    InboundMessage,
    Listing,
    PushStep,
    RateMapping,
    ReconciliationReport,
    RoomMapping,
)
from channels.sandbox_controls import sandbox_reservation_create, webhooks_to
from channels.selectors import listing_status
from channels.services import channel_booking_mark_no_show, listing_pull, parked_for_listing, parked_replay
from core.admin import PlatformAdmin, ReadOnlyRecordsMixin, WrittenByServicesMixin
from core.errors import DomainError
from core.outbox import enqueue_after_commit
from inventory.models import RatePlan


@admin.register(Channel)
class ChannelAdmin(PlatformAdmin):
    list_display = ("name", "code", "push_mode", "inbound_mode", "commission_percent", "is_active")


class _ListingPropertyChoices:
    """A mapping may point only at room types / rate plans of the listing's own property."""

    related_model = None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.remote_field.model is self.related_model:
            listing = _listing_being_edited(request)
            queryset = self.related_model.objects.select_related("property")
            kwargs["queryset"] = queryset.filter(property=listing.property) if listing else queryset.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _listing_being_edited(request) -> Listing | None:
    object_id = (request.resolver_match.kwargs or {}).get("object_id") if request.resolver_match else None
    return Listing.objects.select_related("property").filter(pk=object_id).first() if object_id else None


class RoomMappingInline(_ListingPropertyChoices, admin.TabularInline):
    model = RoomMapping
    related_model = RoomType
    extra = 0


class RateMappingInline(_ListingPropertyChoices, admin.TabularInline):
    model = RateMapping
    related_model = RatePlan
    extra = 0


class DirtyMarkInline(WrittenByServicesMixin, admin.TabularInline):
    model = DirtyMark
    extra = 0
    fields = ("room_type", "start", "end", "reason", "created_at")
    readonly_fields = fields
    verbose_name_plural = "Dirty marks (dates this channel may show wrong)"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(cleared_at__isnull=True)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(StaffScopedAdmin):
    property_path = "property"
    staff_may_add = False  # where a hotel sells is agreed with the platform
    staff_may_delete = False
    platform_fields = ("channel", "property", "hotel_code", "is_active", "cursor")
    list_display = ("property", "channel", "hotel_code", "is_active", "last_sync", "latency", "failures",
                    "dirty", "parked", "queued")
    list_filter = ("channel", "property", "is_active")
    list_select_related = ("channel", "property")
    search_fields = ("hotel_code", "property__name")
    readonly_fields = ("last_pulled_at", "sync_status")
    inlines = [RoomMappingInline, RateMappingInline, DirtyMarkInline]
    actions = ["resync_now", "reconcile_now", "test_reservation"]

    def _status(self, obj) -> dict:
        cached = getattr(obj, "_status", None)
        if cached is None:
            cached = obj._status = listing_status(listing=obj)
        return cached

    @admin.display(description="Last successful push")
    def last_sync(self, obj):
        return self._status(obj)["last_success"] or "—"

    @admin.display(description="Push latency p50 / p95 (1 h)")
    def latency(self, obj):
        status = self._status(obj)
        if status["p50_ms"] is None:
            return "—"
        return f"{status['p50_ms']} / {status['p95_ms']} ms ({status['pushes']} pushes)"

    @admin.display(description="Failed (1 h)")
    def failures(self, obj):
        return self._status(obj)["failures"]

    @admin.display(description="Dirty marks")
    def dirty(self, obj):
        return self._status(obj)["dirty"]

    @admin.display(description="Queued nights")
    def queued(self, obj):
        return self._status(obj)["queued"]

    @admin.display(description="Sync status")
    def sync_status(self, obj):
        status = self._status(obj)
        report = status["last_report"]
        last = f"{status['last_success']:%Y-%m-%d %H:%M:%S}" if status["last_success"] else "never"
        return (f"last successful push: {last} · change-to-channel latency p50/p95 over the last hour: "
                f"{status['p50_ms']}/{status['p95_ms']} ms over {status['pushes']} pushes · failed pushes: "
                f"{status['failures']} · dirty marks: {status['dirty']} · queued nights: {status['queued']} · "
                f"unmapped reservations: {len(parked_for_listing(obj))} · last reconciliation: "
                + (f"{report.started_at:%Y-%m-%d %H:%M} {report.get_outcome_display()}" if report else "never"))

    @admin.action(description="Resync now (the whole horizon, in as few calls as the channel allows)")
    def resync_now(self, request, queryset):
        listings = list(self.scope(request, queryset))
        for listing in listings:
            enqueue_after_commit(task="channels.resync", kwargs={"listing_id": listing.pk}, key=f"listing:{listing.pk}")
        self.message_user(request, f"Full resync queued for {len(listings)} "
                          f"{ngettext('listing', 'listings', len(listings))}.", messages.SUCCESS)

    @admin.action(description="Reconcile now (compare each channel's view with inventory and repair)")
    def reconcile_now(self, request, queryset):
        listings = list(self.scope(request, queryset))
        for listing in listings:
            enqueue_after_commit(task="channels.reconcile", kwargs={"listing_id": listing.pk},
                                 key=f"listing:{listing.pk}")
        self.message_user(request, f"Reconciliation queued for {len(listings)} "
                          f"{ngettext('listing', 'listings', len(listings))}; the reports appear "
                          "under Reconciliation reports.", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not settings.CHANNEL_SANDBOX_CONTROLS:
            actions.pop("test_reservation", None)
        return actions

    @admin.action(description="Receive a test reservation from the channel (sandbox OTA)")
    def test_reservation(self, request, queryset):
        """The sandbox OTA makes a reservation on each selected listing; it arrives by the channel's
        own way (webhook, or the pull made here at once instead of waiting for the next poll)."""
        for listing in self.scope(request, queryset).select_related("channel", "property"):
            try:
                if listing.channel.inbound_mode == Channel.InboundMode.WEBHOOK:
                    webhooks_to(channel_code=listing.channel.code, url=request.build_absolute_uri(
                        reverse("channel-webhook", args=[listing.channel.code])))
                created = sandbox_reservation_create(listing=listing)
                listing_pull(listing_id=listing.pk)
            except (httpx.HTTPError, ChannelError) as exc:
                self.message_user(request, f"{listing}: the sandbox OTA did not answer ({exc}).", messages.ERROR)
                continue
            self.message_user(request, f"{listing.channel.name} sent reservation {created['reservation_id']} "
                              f"for {listing.property.name}.", messages.SUCCESS)

    @admin.display(description="Parked reservations")
    def parked(self, obj):
        return len(parked_for_listing(obj))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        parked = parked_for_listing(form.instance)
        if parked:
            replayed = parked_replay(bookings=parked)
            still = len(parked) - replayed
            self.message_user(request, f"{replayed} parked {ngettext('reservation', 'reservations', replayed)} "
                              "replayed with the new mappings."
                              + (f" {still} still unmapped." if still else ""), messages.INFO)


class RevisionInline(WrittenByServicesMixin, admin.TabularInline):
    model = ChannelRevision
    extra = 0
    fields = ("revision", "kind", "state", "reason", "answer", "answered_at", "created_at")
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False


class ChannelEventInline(ReadOnlyRecordsMixin, admin.TabularInline):
    model = ChannelBookingEvent
    extra = 0
    fields = ("created_at", "action", "revision", "actor", "data")
    readonly_fields = fields


@admin.register(ChannelBooking)
class ChannelBookingAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "property"
    list_display = ("confirmation", "channel", "reservation_id", "property", "status", "check_in", "check_out",
                    "rooms", "guest_name", "created_at")
    list_filter = ("status", "channel", "property")
    search_fields = ("confirmation", "reservation_id", "guest_name", "guest_email")
    inlines = [RevisionInline, ChannelEventInline]
    actions = ["mark_no_show", "replay_parked"]
    list_select_related = ("channel", "property")
    fields = readonly_fields = (
        "confirmation", "channel", "reservation_id", "status", "revision", "property", "room_type", "rate_plan",
        "check_in", "check_out", "rooms", "guests", "guest_name", "guest_email", "guest_phone", "total", "currency",
        "hold", "listing", "created_at", "updated_at",
    )

    @admin.action(description="Mark as no-show (reported to the channel where it can be)")
    def mark_no_show(self, request, queryset):
        for booking in self.scope(request, queryset):
            try:
                channel_booking_mark_no_show(booking=booking, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{booking.confirmation}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{booking.confirmation} marked as a no-show.", messages.SUCCESS)

    @admin.action(description="Replay parked revisions (after adding mappings)")
    def replay_parked(self, request, queryset):
        bookings = list(self.scope(request, queryset))
        replayed = parked_replay(bookings=bookings)
        self.message_user(request, f"{replayed} {ngettext('reservation', 'reservations', replayed)} left the parking; "
                          "the others are still unmapped.",
                          messages.INFO)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyRecordsMixin, PlatformAdmin):
    list_display = ("received_at", "channel", "via", "hotel_code", "reservation_id", "revision")
    list_filter = ("channel", "via")
    search_fields = ("reservation_id", "hotel_code")


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "listing__property"
    list_display = ("started_at", "listing", "outcome", "dates_checked", "drifted", "repaired",
                    "reservations_pulled")
    list_filter = ("outcome", "listing__channel", "listing__property")
    list_select_related = ("listing__channel", "listing__property")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PushStep)
class PushStepAdmin(WrittenByServicesMixin, StaffScopedAdmin):
    property_path = "listing__property"
    list_display = ("created_at", "listing", "kind", "status", "attempts", "calls", "updates", "latency_ms", "error")
    list_filter = ("status", "kind", "listing__channel", "listing__property")
    list_select_related = ("listing__channel", "listing__property")

    def has_change_permission(self, request, obj=None):
        return False
