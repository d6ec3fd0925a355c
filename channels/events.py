"""Typed helpers that append to a channel reservation's event log, in the caller's transaction.

Action names are dotted and say what happened from the hotel's side of the line:
``channel_booking.received`` (a revision came in), ``.parked``, ``.taken`` (nights held),
``.modified``, ``.cancelled``, ``.refused``, ``.acknowledged`` / ``.refusal_sent`` (our answer
reached the channel), ``.answer_failed``, ``.duplicate``, ``.superseded``, ``.no_show``,
``.no_show_reported``.
"""
from channels.models import ChannelBooking, ChannelBookingEvent


def record(*, booking: ChannelBooking, action: str, revision: int | None = None, actor=None,
           data: dict | None = None) -> ChannelBookingEvent:
    return ChannelBookingEvent.objects.create(
        booking=booking, action=f"channel_booking.{action}", revision=revision, actor=actor, data=data or {},
    )
