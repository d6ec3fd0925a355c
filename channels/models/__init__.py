from channels.models.channels import Channel
from channels.models.listings import Listing, RateMapping, RoomMapping
from channels.models.reservations import ChannelBooking, ChannelBookingEvent, ChannelRevision, InboundMessage

__all__ = [
    "Channel", "ChannelBooking", "ChannelBookingEvent", "ChannelRevision", "InboundMessage", "Listing",
    "RateMapping", "RoomMapping",
]
