from .catalogue import Amenity, Destination, Property, PropertyPhoto, PropertySlugRedirect, RoomType
from .outbox import FailedTask, OutboxMessage

__all__ = [
    "Amenity",
    "Destination",
    "FailedTask",
    "OutboxMessage",
    "Property",
    "PropertyPhoto",
    "PropertySlugRedirect",
    "RoomType",
]
