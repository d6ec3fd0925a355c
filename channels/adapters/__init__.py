"""One adapter per OTA, looked up by our channel code.

``adapter_for(code)`` is for the five OTAs and raises ``NoAdapter`` for anything else, ``direct``
included: bookings on our own site never go through an OTA API, and a caller that asks for one has
a bug worth seeing. ``adapter_or_none(code)`` is for code that walks every channel and simply
skips those without an API. Where each channel answers is ``base_url`` (read from settings at
call time; see ``channels.adapters.http``).
"""
from channels.adapters.agoda import AgodaAdapter
from channels.adapters.base import ChannelAdapter
from channels.adapters.booking_com import BookingComAdapter
from channels.adapters.expedia import ExpediaAdapter
from channels.adapters.http import base_url, recording
from channels.adapters.traveloka import TravelokaAdapter
from channels.adapters.trip_com import TripComAdapter

ADAPTERS: dict[str, ChannelAdapter] = {
    adapter.code: adapter
    for adapter in (BookingComAdapter(), ExpediaAdapter(), AgodaAdapter(), TravelokaAdapter(), TripComAdapter())
}


class NoAdapter(LookupError):
    """The channel has no OTA API (``direct``: our own site) or is unknown."""


def adapter_for(code: str) -> ChannelAdapter:
    try:
        return ADAPTERS[code]
    except KeyError:
        if code == "direct":
            raise NoAdapter("direct bookings are made on our own site: there is no channel API to call.") from None
        raise NoAdapter(f"no channel adapter for {code!r}; known: {', '.join(ADAPTERS)}.") from None


def adapter_or_none(code: str) -> ChannelAdapter | None:
    """The channel's adapter, or None for ``direct`` (and any channel without an OTA API)."""
    return ADAPTERS.get(code)


__all__ = ["ADAPTERS", "NoAdapter", "adapter_for", "adapter_or_none", "base_url", "recording"]
