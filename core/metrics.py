"""Prometheus metrics: the definitions, the scrape-time collectors' registry, and the page.

Two kinds of figure:

- **Counted as it happens** (the objects below): a web request, an inventory retry or refusal, a
  supplier cache hit, a settled payment, a successful channel push. Call sites in the apps call
  them in one line. Under gunicorn (several processes) and on Celery workers each process writes
  its counts to files in ``PROMETHEUS_MULTIPROC_DIR`` and the page adds them up
  (prometheus-client's multiprocess mode); without it, the counts are this process's.
- **Read at scrape time** (collectors): bookings by state, open dirty marks, dead letters, outbox
  lag, queue depths. An app registers its collector in its ``AppConfig.ready()`` with
  ``register_collector``; core knows nothing of what they read.

This module has no domain knowledge: names and labels only.
"""
import functools
import os
from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from core.errors import DomainError

# --- counted as it happens --------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "travel_http_requests", "Web requests answered, by view (URL name) and status code.",
    ["view", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "travel_http_request_duration_seconds", "Time to answer a web request, by view.", ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
INVENTORY_RETRIES = Counter(
    "travel_inventory_retries", "Inventory writes (reserve, release, restay) rolled back after losing to "
    "another writer and tried again.",
)
INVENTORY_RESERVE_REFUSALS = Counter(
    "travel_inventory_reserve_refusals", "Reservations refused, by reason (sold_out, restricted, busy).",
    ["reason"],
)
SUPPLIER_CACHE = Counter(
    "travel_supplier_cache_events", "Supplier search cache: hits, misses, supplier calls, coalesced "
    "waits and errors, by kind of search.", ["kind", "event"],
)
PAYMENTS_SETTLED = Counter("travel_payments_settled", "Crypto invoices that reached settled (confirmed on chain).")
CHANNEL_PUSH_SECONDS = Histogram(
    "travel_channel_push_latency_seconds", "From an availability change to the channel accepting the push, "
    "by channel.", ["channel"], buckets=(0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300),
)


def refusals_counted(counter: Counter):
    """Decorator: count each domain refusal the function raises in ``counter``, labelled by its code."""
    def decorate(function):
        @functools.wraps(function)
        def counted(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except DomainError as exc:
                counter.labels(reason=exc.code).inc()
                raise
        return counted
    return decorate


def channel_push_succeeded(*, channel: str, seconds: float) -> None:
    CHANNEL_PUSH_SECONDS.labels(channel=channel).observe(max(seconds, 0.0))


# --- read at scrape time ----------------------------------------------------------------------
_collectors: dict[str, Callable[[], Iterable[Metric]]] = {}


def register_collector(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    """Add a function that yields metric families when ``/metrics`` is read (once per name)."""
    _collectors[name] = collect


class _ScrapeTime:
    def collect(self):
        for collect in _collectors.values():
            yield from collect()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def render() -> bytes:
    """The metrics page in Prometheus' text format: what every process counted, then what the
    collectors read now."""
    counted = REGISTRY
    if multiprocess_dir():
        counted = CollectorRegistry()
        MultiProcessCollector(counted)
    scrape_time = CollectorRegistry()
    scrape_time.register(_ScrapeTime())
    return generate_latest(counted) + generate_latest(scrape_time)
