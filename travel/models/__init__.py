from .append_only import AppendOnly, AppendOnlyModel, AppendOnlyQuerySet
from .catalogue import Amenity, Destination, Property, PropertyPhoto, PropertySlugRedirect, RoomType
from .outbox import FailedTask, OutboxMessage

__all__ = [
    "AppendOnly",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "Amenity",
    "Destination",
    "FailedTask",
    "OutboxMessage",
    "Property",
    "PropertyPhoto",
    "PropertySlugRedirect",
    "RoomType",
]
