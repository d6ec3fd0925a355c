from channels.models.channels import Channel
from channels.models.listings import Listing, RateMapping, RoomMapping
from channels.models.reservations import ChannelBooking, ChannelBookingEvent, ChannelRevision, InboundMessage
from channels.models.sync import DirtyMark, PendingChange, PushStep, ReconciliationReport

__all__ = [
    "Channel", "ChannelBooking", "ChannelBookingEvent", "ChannelRevision", "DirtyMark", "InboundMessage", "Listing",
    "PendingChange", "PushStep", "RateMapping", "ReconciliationReport", "RoomMapping",
]
