"""One pooled HTTP client per process for every outside party (suppliers, the crypto processor,
exchange rates, later the OTAs).

Building an ``httpx`` client costs a TLS context and a connection pool; making one per call added
tens of milliseconds to each request. Adapters pass their own timeout with each call.
Every request goes through the outbound allow-list first (core/outbound.py): only the configured
outside parties' hosts are ever connected to.
"""
import threading

import httpx

from core.outbound import AllowListTransport

_client: httpx.Client | None = None
_lock = threading.Lock()


def outside_http() -> httpx.Client:
    """The process's shared client (thread-safe; httpx clients may be used from many threads)."""
    global _client
    with _lock:
        if _client is None:
            limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
            _client = httpx.Client(
                transport=AllowListTransport(httpx.HTTPTransport(limits=limits)),
                headers={"User-Agent": "lotus-trails/1"},
            )
        return _client
