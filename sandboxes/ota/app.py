"""The sandbox OTA's application: five channel APIs on one port, each under ``/<channel>``.

A ``Channel`` is what differs between them: how a caller proves who it is, how an error looks
(XML for the XML channels, even for the toolkit's own outage and rate-limit answers) and what a
webhook carries. ``Channel.route`` wraps every API handler in what they share: the faults a test
switched on (random latency, hanging calls), the channel's own rate limit, its auth, and the
``shape_change`` renaming of a field in its answers. Handlers return an XML element or a JSON
value (or a ``Response`` holding one); ``render`` serializes it.
"""
import hmac
import random
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from sandboxes.http import App, Request, Response
from sandboxes.ota.store import CHANNELS, NotFound, Reservation, Revision, Store
from sandboxes.ota.webhooks import Sender

TIMEOUT_SLEEP_S = 30  # longer than any client waits: a hung call


@dataclass
class Channel:
    code: str
    authorized: Callable[[Request], bool]
    error: Callable[[Request, int, str], object]  # the channel's error body for (request, status, message)
    webhook: Callable[[Reservation, Revision], tuple[bytes, str]] | None = None  # body and content type
    app: "OtaApp | None" = None

    def route(self, method: str, pattern: str):
        def register(handler):
            def call(request: Request):
                return self.app.call(self, request, handler)
            self.app.route(method, f"/{self.code}{pattern}")(call)
            return handler
        return register


class OtaApp(App):
    def __init__(self):
        super().__init__("ota")
        self.store = Store()
        self.sender = Sender()
        self.channels: dict[str, Channel] = {}
        self.windows: dict[str, tuple[float, int]] = {}  # channel: (window start, calls in it)
        self.background: Callable[[], None] | None = None  # the loop of sandboxes.ota.background
        self._background_thread: threading.Thread | None = None

    def channel(self, channel: Channel) -> Channel:
        channel.app = self
        self.channels[channel.code] = channel
        return channel

    def reset(self) -> None:
        """Also forget reservations, deliveries, views and webhook targets; traffic stops with the
        behaviour it was configured in."""
        with self.store.lock:  # background traffic changes the store under this lock too
            super().reset()
            self.windows.clear()
            self.store.clear()
            self.sender.clear()

    def _configure(self, request: Request):
        traffic = (request.json().get("extra") or {}).get("traffic")
        if traffic:
            check_traffic(traffic)
        answer = super()._configure(request)
        if traffic:
            self.start_background()
        return answer

    def extra(self, key: str, default=None):
        """One ``extra`` setting. Read without the toolkit's lock: ``_gate`` holds it while it
        answers errors, which ``render`` reads settings for; a single read is atomic anyway."""
        return self.behaviour.extra.get(key, default)

    def take(self, key: str) -> bool:
        """Use up one of the ``extra[key]`` next calls (timeout_next, processing_next)."""
        with self._lock:
            left = int(self.behaviour.extra.get(key) or 0)
            if left > 0:
                self.behaviour.extra[key] = left - 1
            return left > 0

    # --- errors and answers ---------------------------------------------------------------------
    def error(self, request: Request, status: int, message: str, headers: dict | None = None) -> Response:
        """The toolkit's errors (outage, rate limit, no route) in the shape of the channel asked."""
        channel = self.channels.get(request.path.split("/")[1])
        if channel is None:
            return super().error(request, status, message, headers)
        return self.render(channel, Response(status, channel.error(request, status, message), headers or {}))

    def render(self, channel: Channel, answer) -> Response:
        response = answer if isinstance(answer, Response) else Response(200, answer)
        body = rename(response.body, (self.extra("shape_change") or {}).get(channel.code))
        if isinstance(body, ET.Element):
            raw = ET.tostring(body, encoding="utf-8", xml_declaration=True)
            return Response(response.status, None, {"Content-Type": "application/xml", **response.headers}, raw)
        return Response(response.status, body, response.headers, response.raw)

    def call(self, channel: Channel, request: Request, handler) -> Response:
        self._faults()
        limited = self._rate_limited(channel.code)
        if limited:
            return self.error(request, 429, f"more than {limited} calls per second to {channel.code}",
                              {"Retry-After": "1"})
        if not channel.authorized(request):
            return self.error(request, 401, "bad credentials or signature")
        try:
            return self.render(channel, handler(request))
        except NotFound as exc:
            return self.error(request, 404, str(exc))
        except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
            return self.error(request, 400, f"bad request: {exc}")

    def _faults(self) -> None:
        low_high = self.extra("latency_range_ms")
        if low_high:
            time.sleep(random.uniform(*low_high) / 1000)
        if self.take("timeout_next"):
            time.sleep(TIMEOUT_SLEEP_S)

    def _rate_limited(self, code: str) -> int:
        """The channel's limit if this call goes over it (a fixed one-second window), else 0."""
        limit = int((self.extra("rate_limits") or {}).get(code) or 0)
        if not limit:
            return 0
        now = time.monotonic()
        with self.store.lock:
            start, count = self.windows.get(code, (0.0, 0))
            if now - start >= 1:
                start, count = now, 0
            self.windows[code] = (start, count + 1)
        return limit if count + 1 > limit else 0

    # --- webhooks -------------------------------------------------------------------------------
    def notify(self, reservation: Reservation, revision: Revision) -> None:
        """Tell the channel's receiver about a revision, if the channel sends webhooks."""
        channel = self.channels[reservation.channel]
        if channel.webhook is None:
            return
        body, content_type = channel.webhook(reservation, revision)
        off = self.extra("webhooks_off")
        dropped = off is True or (isinstance(off, list) and channel.code in off)
        with self.store.lock:
            revision.notified_at = time.time()
        self.sender.send(channel.code, reservation.id, revision.number, body, content_type, dropped)
        self.start_background()

    def start_background(self) -> None:
        """Start the one background thread (resends, escalation, traffic) the first time it is
        needed; it lives as long as the process and idles while there is nothing to do."""
        with self.store.lock:
            if self._background_thread is None and self.background is not None:
                self._background_thread = threading.Thread(target=self.background, name="ota-background",
                                                           daemon=True)
                self._background_thread.start()


def check_traffic(traffic) -> None:
    """``extra.traffic`` must be usable before it is stored: the background thread cannot answer 400."""
    if not isinstance(traffic, dict) or not isinstance(traffic.get("per_minute"), int | float) \
            or traffic["per_minute"] <= 0:
        raise ValueError("traffic needs per_minute > 0 and targets")
    targets = traffic.get("targets")
    if not isinstance(targets, list) or not targets:
        raise ValueError("traffic needs a non-empty list of targets")
    for target in targets:
        if not isinstance(target, dict) or target.get("channel") not in CHANNELS or not all(
                isinstance(target.get(k), str) and target[k] for k in ("hotel_code", "room_code", "rate_code")):
            raise ValueError("each traffic target needs channel, hotel_code, room_code and rate_code")


def same(given: str, expected: str) -> bool:
    """A constant-time comparison of credentials; any text a client sends (not only ASCII, which
    ``hmac.compare_digest`` on str insists on) is simply not equal."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


def rename(body, field: str | None):
    """``shape_change``: the field (JSON key, XML element or attribute) renamed ``<field>_v2``
    wherever it occurs, as a channel that changed its API without notice would answer."""
    if not field or body is None:
        return body
    new = f"{field}_v2"
    if isinstance(body, ET.Element):
        for element in body.iter():
            if element.tag == field:
                element.tag = new
            if field in element.attrib:
                element.set(new, element.attrib.pop(field))
        return body
    if isinstance(body, dict):
        return {(new if key == field else key): rename(value, field) for key, value in body.items()}
    if isinstance(body, list):
        return [rename(item, field) for item in body]
    return body


app = OtaApp()
