"""Reads of the channel manager."""
from channels.models import Channel, ChannelBooking, ChannelRevision


def webhook_channel(code: str) -> Channel | None:
    return Channel.objects.filter(code=code, is_active=True, inbound_mode=Channel.InboundMode.WEBHOOK).first()


def parked_bookings():
    return ChannelBooking.objects.filter(revisions__state=ChannelRevision.State.PARKED).distinct()
