"""The only writers of inventory (see docs/inventory.md)."""
from inventory.services.adjust import inventory_adjust, inventory_rate_adjust
from inventory.services.channel_requests import channel_request_decide, channel_request_submit
from inventory.services.reserve import inventory_release, inventory_reserve
from inventory.services.restay import inventory_restay

__all__ = [
    "channel_request_decide", "channel_request_submit", "inventory_adjust", "inventory_rate_adjust",
    "inventory_release", "inventory_reserve", "inventory_restay",
]
