"""Sandbox OTA: the five channel APIs of docs/channel-apis.md on one port, one prefix each.

    /booking_com/...   OpenTravel XML, basic auth, hint webhooks, resends and escalation (booking_com.py)
    /expedia/eqc/...   XML with credentials in the body, whole-booking webhooks (expedia.py)
    /agoda/api/v1/...  JSON, X-Api-Key, hint webhooks, single-date pushes with 207 (agoda.py)
    /traveloka/v1/...  JSON, bearer token, polled with a cursor (traveloka.py)
    /trip_com/openapi/ JSON envelope, signed requests, polled, "Processing" (trip_com.py)
    /_sandbox/...      controls: reservations, webhooks, deliveries, views (controls.py)

Each channel keeps its own reservations and availability view (store.py); webhooks are signed and
recorded (webhooks.py); resends, escalation and background traffic run on one thread
(background.py). Credentials default to the spec's sandbox values and can be overridden with
OTA_BOOKING_COM_USER / _PASSWORD, OTA_EXPEDIA_USER / _PASSWORD, OTA_AGODA_API_KEY,
OTA_TRAVELOKA_TOKEN, OTA_TRIP_COM_KEY / _SECRET; webhooks go to $OTA_WEBHOOK_URL_BASE/<channel>/
unless a test registers a target.

``POST /_sandbox/config`` takes the toolkit's knobs (latency_ms, down, fail_next,
rate_limit_per_second, applied to every channel) and in ``extra``: latency_range_ms [lo, hi],
timeout_next n, rate_limits {channel: per second}, webhooks_off [channels] or true,
processing_next n, refuse_items [room or rate codes], shape_change {channel: field},
resend_after_s, escalate_after_s, traffic {per_minute, targets}.
"""
from sandboxes.ota import agoda, background, booking_com, controls, expedia, traveloka, trip_com  # noqa: F401
from sandboxes.ota.app import app

__all__ = ["app"]
