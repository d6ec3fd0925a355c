"""What hotel staff do with channel reservations: replay parked ones once mapped, and mark
no-shows (reported to the channel where its API has the call).

Channel guests are the OTA's customers, not members of our loyalty programme: a channel booking
earns no points, so a no-show has none to withhold. (Direct bookings' no-shows live in
``bookings``, where they also forfeit the pending points.)
"""
from django.db import transaction

from channels import events
from channels.adapters import adapter_for
from channels.models import ChannelBooking, ChannelRevision
from channels.revisions import reservation_from_data
from channels.services.deciding import advance
from core.errors import ConflictError
from core.outbox import enqueue_after_commit

REPORT_NO_SHOW_TASK = "channels.report_no_show"


class NoShowRefused(ConflictError):
    code = "no_show_refused"


def parked_replay(*, bookings) -> int:
    """Try the parked revisions of these reservations again (after a mapping was added).
    Returns how many left the parking: still unmapped ones stay parked."""
    moved = 0
    for booking_id in [b.pk for b in bookings]:
        with transaction.atomic():
            booking = ChannelBooking.objects.select_for_update().get(pk=booking_id)
            if not booking.revisions.filter(state=ChannelRevision.State.PARKED).exists():
                continue
            advance(booking)
            moved += not booking.revisions.filter(state=ChannelRevision.State.PARKED).exists()
    return moved


def parked_for_listing(listing) -> list[ChannelBooking]:
    return list(ChannelBooking.objects.filter(
        channel=listing.channel, revisions__state=ChannelRevision.State.PARKED,
        revisions__data__hotel_code=listing.hotel_code,
    ).distinct())


def channel_booking_mark_no_show(*, booking: ChannelBooking, by) -> ChannelBooking:
    """The guest did not come. Only a reservation holding rooms, once its check-in date has come on
    the hotel's calendar. The nights stay taken (the room was kept for the guest)."""
    with transaction.atomic():
        booking = (ChannelBooking.objects.select_for_update(of=("self",)).select_related("property__destination")
                   .get(pk=booking.pk))
        if booking.status != ChannelBooking.Status.HELD:
            raise NoShowRefused(f"Only a reservation holding rooms can be a no-show; this one is "
                                f"{booking.get_status_display().lower()}.")
        today = booking.property.local_today()
        if booking.check_in > today:
            raise NoShowRefused(f"Check-in is on {booking.check_in:%d %b %Y}: it cannot be a no-show before then.")
        booking.status = ChannelBooking.Status.NO_SHOW
        booking.save(update_fields=["status", "updated_at"])
        events.record(booking=booking, action="no_show", revision=booking.revision, actor=by)
        enqueue_after_commit(task=REPORT_NO_SHOW_TASK, kwargs={"booking_id": booking.pk}, key=booking.confirmation)
    return booking


def no_show_report(*, booking_id: int) -> bool:
    """Tell the channel (where its API allows). Retryable failures raise for the task to retry."""
    booking = ChannelBooking.objects.select_related("channel").get(pk=booking_id)
    applied = booking.revisions.filter(revision=booking.revision).first()
    reported = adapter_for(booking.channel.code).report_no_show(reservation=reservation_from_data(applied.data))
    with transaction.atomic():
        events.record(booking=booking, action="no_show_reported" if reported else "no_show_not_reportable",
                      revision=booking.revision,
                      data={} if reported else {"reason": f"{booking.channel.name}'s API has no no-show call."})
    return reported
