"""Webhook signatures of the channels that push to us (Booking.com-, Expedia-, Agoda-like).

Each signs ``<timestamp>.<body>`` with HMAC-SHA256 and its webhook secret, and sends the unix
timestamp and ``sha256=<hex>`` in two headers of its own. The timestamp is signed too, so a
captured delivery cannot be replayed outside the window (CHANNEL_WEBHOOK_MAX_AGE either side of
now: clocks drift both ways). The comparison is constant-time. Anything wrong is WebhookRejected,
naming what is wrong, and nothing in the body is read before the signature holds.
"""
import hashlib
import hmac
import time
from collections.abc import Mapping

from django.conf import settings

from channels.adapters.base import WebhookRejected


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    """``sha256=<hex>`` of ``<timestamp>.<body>``: what a channel sends (tests sign with it too)."""
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(channel: str, *, secret: str, prefix: str, body: bytes, headers: Mapping[str, str],
           now: float | None = None) -> None:
    """Check ``X-<prefix>-Timestamp`` and ``X-<prefix>-Signature`` (header names in any case)."""
    lowered = {str(key).lower(): value for key, value in headers.items()}
    timestamp_header, signature_header = f"x-{prefix}-timestamp", f"x-{prefix}-signature"
    timestamp = (lowered.get(timestamp_header) or "").strip()
    sent = (lowered.get(signature_header) or "").strip()
    if not timestamp:
        raise WebhookRejected(f"{channel} webhook: the {timestamp_header} header is missing.")
    if not sent:
        raise WebhookRejected(f"{channel} webhook: the {signature_header} header is missing.")
    if not sent.startswith("sha256="):
        raise WebhookRejected(f"{channel} webhook: the signature is not of the form sha256=<hex>.")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise WebhookRejected(f"{channel} webhook: the timestamp {timestamp[:40]!r} is not unix seconds.")
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), sent.encode()):
        raise WebhookRejected(f"{channel} webhook: the signature does not match.")
    now = time.time() if now is None else now
    if abs(now - stamp) > settings.CHANNEL_WEBHOOK_MAX_AGE:
        raise WebhookRejected(f"{channel} webhook: the timestamp is {now - stamp:+.0f}s from now, outside "
                              f"the {settings.CHANNEL_WEBHOOK_MAX_AGE}s window (a possible replay).")
