"""Signed webhooks of the webhook channels (Booking.com-, Expedia-, Agoda-like), and their record.

The signature is HMAC-SHA256 in hex over ``b"<timestamp>." + body`` with the channel's webhook
secret, sent as ``sha256=<hex>`` with the timestamp in the channel's own two headers. Every
attempt is recorded (also the ones dropped by ``webhooks_off``) so a test can see what went out
and resend it: with the same bytes, timestamp and signature (a replay), or re-signed now.
"""
import hashlib
import hmac
import itertools
import os
import threading
import time
import urllib.error
import urllib.request

HEADERS = {  # channel: (timestamp header, signature header)
    "booking_com": ("X-Bcom-Timestamp", "X-Bcom-Signature"),
    "expedia": ("X-Expedia-Timestamp", "X-Expedia-Signature"),
    "agoda": ("X-Agoda-Timestamp", "X-Agoda-Signature"),
}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class Sender:
    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.deliveries: list[dict] = []
            self.secrets: dict[str, str] = {}  # delivery id: the secret it was signed with (never shown)
            self.targets: dict[str, tuple[str, str]] = {}  # channel: (url, secret) registered by a test
            self.ids = itertools.count(1)

    def register(self, channel: str, url: str, secret: str) -> None:
        if channel not in HEADERS:
            raise ValueError(f"{channel} sends no webhooks; only {', '.join(HEADERS)} do")
        if not url.startswith(("http://", "https://")) or not secret:
            raise ValueError("url (http or https) and secret are required")
        with self.lock:
            self.targets[channel] = (url, secret)

    def target(self, channel: str) -> tuple[str, str] | None:
        """Where the channel's webhooks go: the registered URL, else $OTA_WEBHOOK_URL_BASE/<channel>/."""
        with self.lock:
            if channel in self.targets:
                return self.targets[channel]
        base = os.environ.get("OTA_WEBHOOK_URL_BASE", "")
        if not base:
            return None
        return f"{base.rstrip('/')}/{channel}/", f"sandbox-{channel}-webhook-secret"

    def send(self, channel: str, reservation_id: str, revision: int, body: bytes, content_type: str,
             dropped: bool) -> dict:
        """Record a delivery and post it in a background thread (the channel's own pace, not the
        caller's: a slow receiver never slows the control call that made the change)."""
        with self.lock:
            record = {"id": f"dlv-{next(self.ids)}", "channel": channel, "reservation_id": reservation_id,
                      "revision": revision, "url": "", "content_type": content_type, "body": body.decode(),
                      "timestamp": int(time.time()), "signature": "", "status": None, "error": ""}
            self.deliveries.append(record)
            target = None if dropped else self.target(channel)
            if dropped:
                record["error"] = "dropped (webhooks_off)"
            elif target is None:
                record["error"] = "no webhook URL (POST /_sandbox/webhooks or set OTA_WEBHOOK_URL_BASE)"
            else:
                record["url"] = target[0]
                record["signature"] = sign(target[1], record["timestamp"], body)
                self.secrets[record["id"]] = target[1]
        if target is not None:
            threading.Thread(target=self._post, args=(record,), name=f"ota-webhook-{record['id']}",
                             daemon=True).start()
        return record

    def resend(self, delivery_id: str, fresh: bool) -> dict:
        """Post a recorded delivery again, as a new record. ``fresh``: signed now with the secret it
        was signed with; otherwise the very same timestamp and signature (what a replay looks like)."""
        with self.lock:
            found = [d for d in self.deliveries if d["id"] == delivery_id and d["url"]]
            if not found:
                raise LookupError(f"no delivery {delivery_id} that was sent")
            record = {**found[0], "id": f"dlv-{next(self.ids)}", "resent_from": delivery_id,
                      "status": None, "error": ""}
            secret = self.secrets[delivery_id]
            if fresh:
                record["timestamp"] = int(time.time())
                record["signature"] = sign(secret, record["timestamp"], record["body"].encode())
            self.secrets[record["id"]] = secret
            self.deliveries.append(record)
        self._post(record)
        return dict(record)

    def _post(self, record: dict) -> None:
        stamp_header, signature_header = HEADERS[record["channel"]]
        request = urllib.request.Request(record["url"], data=record["body"].encode(), method="POST", headers={
            "Content-Type": record["content_type"], stamp_header: str(record["timestamp"]),
            signature_header: record["signature"]})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, error = answer.status, ""
        except urllib.error.HTTPError as exc:
            status, error = exc.code, ""
        except (OSError, ValueError) as exc:
            status, error = None, repr(exc)
        with self.lock:
            record["status"], record["error"] = status, error

    def listing(self, channel: str | None = None) -> list[dict]:
        with self.lock:
            return [dict(d) for d in self.deliveries if channel is None or d["channel"] == channel]

    def count(self, channel: str, reservation_id: str) -> int:
        with self.lock:
            return sum(1 for d in self.deliveries if d["channel"] == channel and d["reservation_id"] == reservation_id)
