"""Outbound HTTP goes only to the outside parties this deployment is configured to talk to.

The allow-list is built, at each request, from the base URLs in the settings: the supplier
API, the payment processor, the exchange-rate source, the OTAs (``OTA_API_URL`` and each
channel's own URL), ``OUTBOUND_EXTRA_URLS``, and, where sandboxes may run in-process (never in
production), the sandboxes this process started. A destination is allowed when its scheme,
host and port are those of one of them; anything else is refused before a connection is
opened, with ``DestinationRefused`` (an ``httpx.TransportError``, so every adapter already
answers it as "that party cannot be reached") and an error in the log naming the URL.

``AllowListTransport`` wraps the pooled client's transport (core/http_client.py), so a redirect
or a URL built from someone's input is checked the same way as any other request.
"""
import logging
from urllib.parse import urlsplit

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
URL_SETTINGS = ("SUPPLIER_API_URL", "PAYMENT_API_URL", "RATES_API_URL", "OTA_API_URL")

Origin = tuple[str, str, int]


class DestinationRefused(httpx.TransportError):
    """An outbound request to a host that is not a configured outside party."""


def origin_of(url: str) -> Origin | None:
    parts = urlsplit(url or "")
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port


def configured_urls() -> list[str]:
    urls = [getattr(settings, name, "") for name in URL_SETTINGS]
    urls += [api.get("url", "") for api in getattr(settings, "CHANNEL_APIS", {}).values()]
    urls += list(getattr(settings, "OUTBOUND_EXTRA_URLS", []))
    if getattr(settings, "SANDBOXES_IN_PROCESS", False):
        from sandboxes.embedded import running_urls

        urls += running_urls()
    return [url for url in urls if url]


def allowed_origins() -> set[Origin]:
    return {origin for origin in map(origin_of, configured_urls()) if origin}


def check_destination(url: httpx.URL, *, request: httpx.Request | None = None) -> None:
    """Raise DestinationRefused unless ``url`` goes to a configured outside party."""
    host = url.host.lower() if url.host else ""
    port = url.port or DEFAULT_PORTS.get(url.scheme, 0)
    if (url.scheme, host, port) in allowed_origins():
        return
    logger.error("outbound request to %s://%s:%s refused: not a configured outside party", url.scheme, host, port)
    raise DestinationRefused(
        f"Outbound HTTP to {url.scheme}://{host}:{port} refused: it is not one of the configured outside "
        f"parties (set its URL, or OUTBOUND_EXTRA_URLS).", request=request,
    )


class AllowListTransport(httpx.BaseTransport):
    """Checks every request's destination, then hands it to the real transport."""

    def __init__(self, transport: httpx.BaseTransport):
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_destination(request.url, request=request)
        return self._transport.handle_request(request)

    def close(self) -> None:
        self._transport.close()
