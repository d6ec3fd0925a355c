"""Supplier search cache under a Zipf-distributed workload, on real Redis against the sandbox.

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python -m bench.search_cache [--searches 10000]

10,000 hotel searches (by default) drawn from a universe of distinct searches (destination x
check-in x nights x guests) with Zipf popularity, issued by several threads at once (like web
workers), through ``suppliers.search_offers``. The sandbox answers after a supplier-like
latency. Figures: supplier calls vs searches, the ceiling a cache can reach (distinct searches,
since each must be fetched once within its TTL), hit rate, and p50/p99 of a cached search beside
an uncached one (a miss through the cache, and a direct supplier call with no cache at all).
A sensitivity table repeats the count for other universes and skews: the saving is a property of
the workload; what the cache controls is making no call beyond one per distinct search.
Writes bench/results/search_cache.json.
"""
import argparse
import itertools
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402

from bench.machine import write_results  # noqa: E402
from sandboxes import suppliers as supplier_sandbox  # noqa: E402
from sandboxes.server import LoopbackServer  # noqa: E402
from suppliers import search_offers, supplier_cache_stats  # noqa: E402
from suppliers.client import adapter_for  # noqa: E402
from suppliers.criteria import normalise  # noqa: E402
from suppliers.services import supplier_cache_stats_reset  # noqa: E402

DESTINATIONS = ["Bali", "Bangkok", "Hoi An", "Singapore", "Phuket", "Chiang Mai", "Siem Reap", "Penang",
                "Luang Prabang", "Manila", "Lombok", "Hanoi", "Kyoto", "Langkawi", "Da Nang", "Yogyakarta",
                "Krabi", "Ho Chi Minh City", "Kuala Lumpur", "Cebu"]
PARTIES = [(2, 2), (3, 2), (2, 1), (4, 4), (7, 2), (1, 1), (5, 3), (3, 3), (2, 3), (10, 2)]  # (nights, guests)


def universe(size: int) -> list[dict]:
    """`size` distinct hotel searches, shuffled so that popularity rank is unrelated to order."""
    start = date.today() + timedelta(days=30)
    combos = itertools.product(range(120), PARTIES, DESTINATIONS)
    searches = []
    for offset, (nights, guests), destination in itertools.islice(combos, size):
        check_in = start + timedelta(days=offset)
        searches.append({"destination": destination, "check_in": check_in,
                         "check_out": check_in + timedelta(days=nights), "guests": guests, "rooms": 1})
    random.Random(42).shuffle(searches)
    return searches


def zipf_workload(size: int, skew: float, count: int, seed: int = 7) -> list[dict]:
    items = universe(size)
    weights = list(itertools.accumulate(1 / rank**skew for rank in range(1, size + 1)))
    return random.Random(seed).choices(items, cum_weights=weights, k=count)


def fresh_cache() -> None:
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("suppliers:*")
    else:
        cache.clear()
    supplier_cache_stats_reset()


def sandbox_calls(url: str) -> int:
    return httpx.get(f"{url}/_sandbox/stats", timeout=5).json()["calls"]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def ms(value: float) -> float:
    return round(value * 1000, 3)


def run(workload: list[dict], url: str, threads: int) -> dict:
    fresh_cache()
    calls_before = sandbox_calls(url)
    cached, uncached, errors = [], [], []
    lock = threading.Lock()

    def one(criteria: dict) -> None:
        started = time.perf_counter()
        try:
            result = search_offers(kind="hotel", **criteria)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(repr(exc))
            return
        elapsed = time.perf_counter() - started
        with lock:
            (cached if result.from_cache else uncached).append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, workload))
    wall = time.perf_counter() - started
    stats = supplier_cache_stats()["hotel"]
    distinct = len({tuple(normalise("hotel", c).items()) for c in workload})
    calls = sandbox_calls(url) - calls_before
    return {
        "searches": len(workload), "distinct_searches": distinct, "supplier_calls": calls,
        "supplier_calls_counted_by_cache": stats["supplier_calls"],
        "calls_saved_pct": round(100 * (1 - calls / len(workload)), 2),
        "ceiling_calls_saved_pct": round(100 * (1 - distinct / len(workload)), 2),
        "redundant_calls": calls - distinct,
        "hit_rate": stats["hit_rate"], "hits": stats["hits"], "misses": stats["misses"],
        "coalesced": stats["coalesced"], "errors": len(errors), "error_samples": errors[:3],
        "cached_p50_ms": ms(percentile(cached, 50)), "cached_p99_ms": ms(percentile(cached, 99)),
        "uncached_p50_ms": ms(percentile(uncached, 50)), "uncached_p99_ms": ms(percentile(uncached, 99)),
        "wall_seconds": round(wall, 2), "searches_per_second": round(len(workload) / wall, 1),
    }


def direct_calls(url: str, sample: int) -> dict:
    """The no-cache baseline: the same adapter call the cache makes, every time."""
    adapter = adapter_for("hotel")
    timings = []
    for criteria in universe(sample):
        started = time.perf_counter()
        adapter.search(normalise("hotel", criteria))
        timings.append(time.perf_counter() - started)
    return {"calls": sample, "p50_ms": ms(statistics.median(timings)), "p99_ms": ms(percentile(timings, 99))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=10_000)
    parser.add_argument("--universe", type=int, default=1_000, help="distinct searches in the main run")
    parser.add_argument("--skew", type=float, default=1.0, help="Zipf exponent of the main run")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--latency-ms", type=int, default=40, help="the sandbox supplier's answer time")
    parser.add_argument("--no-sensitivity", action="store_true")
    args = parser.parse_args()
    if not settings.REDIS_URL:
        sys.exit("This benchmark measures the Redis cache: set REDIS_URL (the full-stack variables, README).")

    server = None
    url = os.environ.get("SUPPLIER_API_URL", "")
    if not url:
        server = LoopbackServer(supplier_sandbox.app)
        url = server.start()
    settings.SUPPLIER_API_URL = url
    httpx.post(f"{url}/_sandbox/config", json={"reset": True, "latency_ms": args.latency_ms}, timeout=5)
    try:
        baseline = direct_calls(url, 200)
        print(f"no cache: direct supplier call p50 {baseline['p50_ms']} ms, p99 {baseline['p99_ms']} ms")
        main_run = run(zipf_workload(args.universe, args.skew, args.searches), url, args.threads)
        main_run |= {"universe": args.universe, "skew": args.skew}
        print(_line("main", main_run))
        sensitivity = []
        if not args.no_sensitivity:
            for size, skew in [(1_000, 1.2), (5_000, 1.0), (5_000, 1.2), (20_000, 1.0), (20_000, 1.2)]:
                figures = run(zipf_workload(size, skew, args.searches), url, args.threads)
                figures |= {"universe": size, "skew": skew}
                sensitivity.append({k: figures[k] for k in (
                    "universe", "skew", "searches", "distinct_searches", "supplier_calls", "calls_saved_pct",
                    "ceiling_calls_saved_pct", "redundant_calls", "hit_rate", "cached_p50_ms", "uncached_p50_ms")})
                print(_line(f"N={size} s={skew}", figures))
    finally:
        if server is not None:
            server.stop()
    target_met = main_run["calls_saved_pct"] >= 90
    results = {
        "workload": {"kind": "hotel", "searches": args.searches, "threads": args.threads,
                     "supplier_latency_ms": args.latency_ms, "ttl_seconds": settings.SUPPLIER_CACHE_TTL["hotel"],
                     "cache": settings.CACHES["default"]["BACKEND"]},
        "target": "supplier calls at least 90% fewer than searches",
        "target_met": target_met,
        "no_cache_baseline": baseline,
        "main": main_run,
        "sensitivity": sensitivity,
    }
    path = write_results("search_cache", results)
    print(f"target {'met' if target_met else 'MISSED'}; wrote {path}")


def _line(label: str, f: dict) -> str:
    return (f"{label}: {f['searches']} searches, {f['distinct_searches']} distinct, {f['supplier_calls']} supplier "
            f"calls ({f['calls_saved_pct']}% saved; ceiling {f['ceiling_calls_saved_pct']}%, redundant "
            f"{f['redundant_calls']}), hit rate {f['hit_rate']}, cached p50 {f['cached_p50_ms']} ms / p99 "
            f"{f['cached_p99_ms']} ms, uncached p50 {f['uncached_p50_ms']} ms / p99 {f['uncached_p99_ms']} ms")


if __name__ == "__main__":
    main()
