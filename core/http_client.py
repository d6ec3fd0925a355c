"""One pooled HTTP client per process for every outside party (suppliers, the crypto processor,
exchange rates, later the OTAs).

Building an ``httpx`` client costs a TLS context and a connection pool; making one per call added
tens of milliseconds to each request. Adapters pass their own timeout with each call.
"""
import threading

import httpx

_client: httpx.Client | None = None
_lock = threading.Lock()


def outside_http() -> httpx.Client:
    """The process's shared client (thread-safe; httpx clients may be used from many threads)."""
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(
                limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
                headers={"User-Agent": "lotus-trails/1"},
            )
        return _client
