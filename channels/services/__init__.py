"""The channel manager's writes. See each module: receiving (webhooks, revisions), deciding
(inventory's decision and our answer), answering (to the channel), fetching (details, pulls),
staff (replay, no-shows)."""
from channels.services.answering import revision_answer
from channels.services.deciding import request_decided
from channels.services.fetching import listing_pull, message_process
from channels.services.receiving import notice_store, reservation_receive
from channels.services.staff import (
    NoShowRefused,
    channel_booking_mark_no_show,
    no_show_report,
    parked_for_listing,
    parked_replay,
)

__all__ = [
    "NoShowRefused", "channel_booking_mark_no_show", "listing_pull", "message_process",
    "no_show_report", "notice_store", "parked_for_listing", "parked_replay", "request_decided",
    "reservation_receive", "revision_answer",
]
