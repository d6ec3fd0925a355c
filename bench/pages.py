"""Page throughput: hotel and destination pages beside a minimal Django view, one gunicorn.

    .venv/bin/python -m bench.pages [--seconds 10] [--clients 4] [--workers 2] [--targets minimal hotel_dates ...]   (full-stack variables set, README; or make bench)

Starts gunicorn (sync workers) on a free loopback port, on the PostgreSQL and Redis of the
environment (DATABASE_URL, REDIS_URL), with the demo data (seed_demo, idempotent). The same
process serves every target, so the comparison is fair:

- ``minimal``: a Django view that returns "ok" through the full middleware stack;
- ``hotel``: /hotels/<slug>/ as an anonymous visitor gets it (page cache, rotating over hotels);
- ``hotel_dates``: /hotels/<slug>/?check_in=..: the same 12 stays again and again (the page cache
  keyed by the fingerprint of its rows: one query per request);
- ``hotel_dates_cold``: a different stay on almost every request (2880 of them): the page is built,
  live quotes from inventory;
- ``destination``: /destinations/<slug>/ (page cache, rotating over destinations);
- ``search``: /search/?destination=..&check_in=.. (hotel search results, rotating);
- ``payment``: /pay/<reference>/?t=.. for one open invoice, opened by its signed link.

Load comes from ``--clients`` Python processes on the same machine, one new connection per
request (gunicorn's sync workers close it anyway). Prints and writes requests/s, p50 and p99
to bench/results/pages.json with the machine description. Target: hotel pages at no less
than half the minimal view's throughput.
"""
import argparse
import http.client
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import write_results  # noqa: E402
from bench.processes import free_port, stop_all  # noqa: E402

HOTELS = [f"saffron-lotus-{k}" for k in ("seminyak", "ubud", "uluwatu", "riverside", "sukhumvit", "old-town",
                                          "an-bang", "ancient-town", "riverfront", "marina", "tiong-bahru", "sentosa")]
DESTINATIONS = ["bali", "bangkok", "hoi-an", "singapore"]


# --- served by gunicorn: the site's URLs plus one minimal view ----------------------------------

def minimal(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def __getattr__(name):
    """The URL conf of the benchmark server (built on first use, when Django is configured)."""
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("bench/minimal/", minimal), path("", include("travel.urls"))]
    raise AttributeError(name)


def wsgi_app():
    """gunicorn 'bench.pages:wsgi_app()': the project's WSGI app with this module as URL conf."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.pages"
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# --- load generation -------------------------------------------------------------------------------

def _paths(target: str) -> list[str]:
    if target == "minimal":
        return ["/bench/minimal/"]
    if target == "hotel":
        return [f"/hotels/{slug}/" for slug in HOTELS]
    if target == "destination":
        return [f"/destinations/{slug}/" for slug in DESTINATIONS]
    today = date.today()
    if target == "hotel_dates":
        paths = []
        for i, slug in enumerate(HOTELS):
            check_in = today + timedelta(days=7 + i % 10)
            paths.append(f"/hotels/{slug}/?check_in={check_in}&check_out={check_in + timedelta(days=3)}"
                         "&guests=2&rooms=1")
        return paths
    if target == "hotel_dates_cold":
        # A different stay on almost every request: the page is built, not served from its cache.
        return [f"/hotels/{slug}/?check_in={today + timedelta(days=20 + d)}"
                f"&check_out={today + timedelta(days=20 + d + nights)}&guests={guests}&rooms=1"
                for d in range(40) for nights in (1, 2, 4) for guests in (1, 2) for slug in HOTELS]
    if target == "search":
        return [f"/search/?destination={place}&check_in={today + timedelta(days=7 + i)}"
                f"&check_out={today + timedelta(days=10 + i)}&guests=2&rooms=1"
                for i, place in enumerate(DESTINATIONS * 3)]
    if target == "payment":
        return [PAYMENT_PATH]
    raise ValueError(target)


PAYMENT_PATH = ""  # set by main(): the signed payment link of the benchmark's own invoice

_OPEN_INVOICE = """
from datetime import timedelta
from decimal import Decimal
from django.db import transaction
from bookings.payments.access import pay_link
from bookings.payments.services import invoice_open
with transaction.atomic():
    invoice = invoice_open(reference="BENCHPAGES1", fiat_amount=Decimal("230.00"), fiat_currency="USD",
                           coin_code="BTC", crypto_amount=Decimal("0.00350000"), rate=Decimal("65714.28"),
                           expires_in=timedelta(days=1))
print(pay_link(reference=invoice.reference, expires_at=invoice.expires_at))
"""


def payment_path(python: str) -> str:
    """An open invoice (a row, as placing a booking leaves it) and its signed link, as a traveller
    opens it from the confirmation e-mail: the payment page without a session."""
    out = subprocess.run([python, "manage.py", "shell", "-c", _OPEN_INVOICE], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    parts = urlsplit(out)
    return parts.path + ("?" + parts.query if parts.query else "")


TARGETS = ("minimal", "hotel", "hotel_dates", "hotel_dates_cold", "destination", "search", "payment")


def _client(port: int, paths: list[str], seconds: float, offset: int, out) -> None:
    latencies, errors, i = [], 0, offset
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                errors += 1
                continue
        except OSError:
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
    out.put((latencies, errors))


def prepare(port: int, target: str) -> list[str]:
    """Every path answers 200 before it is timed (and the page cache is filled)."""
    paths = _paths(target)
    for path in (paths[:3] if target == "hotel_dates_cold" else paths):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    return paths


def summarize(latencies: list[float], errors: int, elapsed: float, paths: int) -> dict:
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000, 2),
        "paths": paths,
    }


def _run(port, paths, seconds, clients):
    queue = multiprocessing.Queue()
    # Each client starts at its own random place in the rotation (the cold stays stay cold).
    procs = [multiprocessing.Process(target=_client, args=(port, paths, seconds, random.randrange(len(paths)), queue))
             for _n in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    elapsed = time.perf_counter() - started
    latencies = [lat for lats, _ in results for lat in lats]
    return latencies, sum(e for _, e in results), elapsed


# --- the run -------------------------------------------------------------------------------------------

def _wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/minimal/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=16.0, help="measured seconds per target")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds over the targets")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--microcache", type=float, default=2.0,
                        help="PAGE_MICROCACHE_SECONDS for the server (0 = every hit asks Redis)")
    parser.add_argument("--targets", nargs="+", default=list(TARGETS), choices=TARGETS)
    args = parser.parse_args()
    if "minimal" not in args.targets:
        args.targets.insert(0, "minimal")
    for var in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(var, "").startswith(("postgres", "redis")):
            sys.exit(f"{var} must point at PostgreSQL/Redis: export the full-stack variables first (README)")
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
           "CONN_MAX_AGE": "600", "PAGE_MICROCACHE_SECONDS": str(args.microcache)}
    gunicorn = [str(Path(python).parent / "gunicorn"), "bench.pages:wsgi_app()", "--bind", f"127.0.0.1:{port}",
                "--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning"]
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    try:
        _wait_ready(port)
        global PAYMENT_PATH
        PAYMENT_PATH = payment_path(python)
        targets = args.targets
        paths = {t: prepare(port, t) for t in targets}
        for target in targets:
            _run(port, paths[target], args.warmup, args.clients)
        # Interleaved rounds: the machine is shared, so drift in its load hits every target alike.
        collected = {t: ([], 0, 0.0) for t in targets}
        for _ in range(args.rounds):
            for target in targets:
                latencies, errors, elapsed = _run(port, paths[target], args.seconds / args.rounds, args.clients)
                old = collected[target]
                collected[target] = (old[0] + latencies, old[1] + errors, old[2] + elapsed)
        results = {}
        for target in targets:
            results[target] = r = summarize(*collected[target], paths=len(paths[target]))
            print(f"{target:12s} {r['requests_per_second']:8.1f} req/s  p50 {r['p50_ms']:7.2f} ms  "
                  f"p99 {r['p99_ms']:7.2f} ms  ({r['requests']} requests, {r['errors']} errors)", flush=True)
    finally:
        stop_all([server], timeout=20)
    base = results["minimal"]["requests_per_second"]
    ratios = {t: round(r["requests_per_second"] / base, 3) for t, r in results.items() if t != "minimal"}
    summary = {
        "setup": {"server": f"gunicorn sync x{args.workers}", "clients": args.clients, "seconds": args.seconds,
                  "rounds": args.rounds, "page_microcache_seconds": args.microcache, "load_average_at_end": os.getloadavg(),
                  "database": "postgresql", "cache": "redis", "load": "python http.client on loopback, same machine"},
        "targets": results,
        "ratio_to_minimal": ratios,
        "target": "hotel >= 0.5 x minimal; hotel_dates >= 0.3 x minimal with p50 < 10 ms",
        "target_met": {
            "hotel": ratios.get("hotel", 0) >= 0.5,
            "hotel_dates": ratios.get("hotel_dates", 0) >= 0.3 and results.get("hotel_dates", {}).get("p50_ms", 99) < 10,
        },
    }
    for target, ratio in ratios.items():
        print(f"{target:12s} {ratio:.2f} x minimal")
    path = write_results("pages" if args.microcache else "pages-no-microcache", summary)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
