"""Benchmark: p99 of placing a booking at 20 concurrent clients while the supplier takes 3 s.

    # with the full-stack variables set (README: DATABASE_URL, REDIS_URL, CELERY_BROKER_URL)
    .venv/bin/python bench/booking_place.py [--clients 20] [--per-client 20]

What runs, all on loopback, as separate processes:
- the sandboxes (suppliers, crypto processor, rates), the supplier set to take 3 s to confirm a
  booking (``book_latency_ms=3000, book_blocking``: its booking call itself blocks 3 s);
- gunicorn (gthread, 2 workers × 10 threads) serving the project, with bench/baseline.py's URLconf:
  the project's URLs plus ``/bench/baseline/``, a minimal authenticated DRF POST view (same
  middleware, session auth, CSRF and JSON parsing, no work) — the floor of the stack — and
  ``/bench/place-floor/`` (bench/place_floor.py), the same own-inventory placements with their rows
  written by hand in one statement — the floor of the work;
- 20 client threads here (httpx), each signed in as its own traveller, each request with its
  own price lock (made beforehand, not timed) and Idempotency-Key.

Measured per request, end to end: ``POST /api/bookings/`` for supplier offers (the 3 s supplier
is confirmed later by a worker, after payment, so placement must not wait for it) and for own
inventory stays (nights reserved in the same transaction), beside both floors. The issue's
comparison (the minimal POST, the own-stay placement with the invoice by task, the hand-written
floor) runs in ``--rounds`` rounds, the three one after the other on one server in each: the
ratios are taken within a round and the median round is reported, so a change in the machine's
load between two scenarios does not make a ratio. A placement
includes the whole transaction and, after commit, the invoice's creation at the processor sandbox
over HTTP (three calls) for the payment address; the outbox rows go to RabbitMQ from each
process's relay thread (``--outbox-relays thread,inline`` also measures the inline hand-over).

Runs against its own database ``bench_bookings`` (created and migrated here). Prints a table and
writes ``bench/results/booking_place.json`` with the machine's description.
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.processes import free_port, stop_all, wait_http  # noqa: E402
from bench.scratch import create_database, scratch_url  # noqa: E402

BENCH_DB = "bench_bookings"
SERVER_ROLE = "BOOKING_BENCH_SERVER"

if os.environ.get(SERVER_ROLE) != "1":  # the driver: point everything at the bench database first
    os.environ["DATABASE_URL"] = scratch_url(
        BENCH_DB, needs="The booking benchmark needs PostgreSQL, Redis and RabbitMQ")
    os.environ["CACHE_KEY_PREFIX"] = BENCH_DB
    os.environ["LOG_LEVEL"] = "ERROR"
    # Each traveller here places dozens of bookings in seconds: the per-traveller caps and the
    # throttles (docs/security.md) stay on, so their cost is measured, with room for that.
    os.environ.update({"BOOKINGS_MAX_PENDING": "1000000", "BOOKINGS_MAX_PENDING_ROOM_NIGHTS": "1000000",
                       "BOOKINGS_MAX_LIVE_LOCKS": "1000", "THROTTLE_API_RATE": "1000000/min",
                       "THROTTLE_PRICE_LOCK_RATE": "1000000/min", "THROTTLE_PLACEMENT_RATE": "1000000/min"})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from bench.baseline import BASELINE_PATH  # noqa: E402
from bench.place_floor import PLACE_FLOOR_PATH  # noqa: E402

settings.ROOT_URLCONF = "bench.baseline"  # the project's URLs plus the minimal POST
application = get_wsgi_application()


# --- the driver ------------------------------------------------------------------------------

def _session_for(user):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _summary(latencies: list[float], errors: dict, seconds: float) -> dict:
    ms = [v * 1000 for v in latencies]
    return {"requests": len(ms), "errors": errors, "throughput_per_s": round(len(ms) / seconds, 1),
            "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(_percentile(ms, 95), 1),
            "p99_ms": round(_percentile(ms, 99), 1), "max_ms": round(max(ms), 1),
            "mean_ms": round(statistics.fmean(ms), 1)}


# Who is travelling on every booking (all locks are for 2 guests).
GUESTS = {"lead": {"name": "Bench Traveller", "email": "bench@example.com", "phone": "+44 20 7946 0958"},
          "others": ["Second Traveller"]}


def _run(base: str, clients: list[dict], work: dict[int, list[str]], path_: str, expect: int) -> dict:
    """Every client sends its requests one after another; all clients at once."""
    import httpx

    from bench.world import expire_pending

    expire_pending(c["user_id"] for c in clients)  # each scenario starts with none pending
    latencies, errors, lock = [], {}, threading.Lock()
    barrier = threading.Barrier(len(clients))

    def client_loop(client):
        csrf = uuid.uuid4().hex
        with httpx.Client(base_url=base, timeout=30, cookies={"sessionid": client["session"], "csrftoken": csrf},
                          headers={"X-CSRFToken": csrf}) as http:
            barrier.wait(timeout=60)
            for lock_id in work[client["user_id"]]:
                started = time.perf_counter()
                response = http.post(path_, json={"lock_id": lock_id, "guests": GUESTS},
                                     headers={"Idempotency-Key": uuid.uuid4().hex})
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == expect:
                        latencies.append(elapsed)
                    else:
                        key = f"{response.status_code}: {response.text[:120]}"
                        errors[key] = errors.get(key, 0) + 1

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return _summary(latencies, errors, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the minimal POST, the own-stay placement and its floor, one after the "
                             "other on one server; the figures are the median round's")
    parser.add_argument("--outbox-relays", default="thread",
                        help="comma-separated OUTBOX_RELAY modes to measure, e.g. thread,inline "
                             "(results of other modes than thread get an _outbox_<mode> suffix)")
    args = parser.parse_args()
    relays = [r.strip() for r in args.outbox_relays.split(",") if r.strip()]
    if "thread" not in relays:
        parser.error("--outbox-relays must include thread: the comparison with both floors runs with it")

    load_before = os.getloadavg()
    create_database(BENCH_DB)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    processes = []
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    try:
        # 1. the outside world: three sandboxes, the supplier confirming in 3 s
        urls = {}
        for name, variable in (("suppliers", "SUPPLIER_API_URL"), ("payments", "PAYMENT_API_URL"),
                               ("rates", "RATES_API_URL")):
            port = free_port()
            processes.append(subprocess.Popen([sys.executable, "-m", "sandboxes", name, "--port", str(port)],
                                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls[variable] = f"http://127.0.0.1:{port}"
            setattr(settings, variable, urls[variable])
            env[variable] = urls[variable]
        for url in urls.values():
            wait_http(f"{url}/_sandbox/stats", 20)
        import httpx

        httpx.post(f"{urls['SUPPLIER_API_URL']}/_sandbox/config",
                   json={"extra": {"book_latency_ms": 3000, "book_blocking": True}}, timeout=5).raise_for_status()

        # 2. data: travellers, a big room type, supplier offers, and one price lock per request
        clients = _clients(args)
        print(f"{len(clients)} clients × {args.per_client} requests each; supplier confirms in 3 s (blocking)")
        results, rounds = {}, []
        # 3. the web server, twice: the invoice created at the processor right after commit (the
        #    answer carries the payment address), then only by payments' task (address shows later)
        #    Each with the outbox relayed by each process's relay thread (OUTBOX_RELAY=thread, the
        #    default with a broker) and, with --outbox-relays, handed over inline after commit.
        for mode, inline in (("inline_invoice", "1"), ("invoice_by_task", "0")):
            for relay in relays:
                suffix = "" if relay == "thread" else f"_outbox_{relay}"
                server, base = _start_server(args, {**env, "BOOKINGS_SUBMIT_INVOICE_INLINE": inline,
                                                    "OUTBOX_RELAY": relay})
                processes.append(server)
                offer_work, base_work = _locks(args, clients)
                _run(base, clients, {c["user_id"]: ["x" * 32] * 3 for c in clients}, BASELINE_PATH, 201)  # warm-up
                results[f"place_supplier_offer_{mode}{suffix}"] = _run(base, clients, offer_work, "/api/bookings/", 201)
                if mode == "invoice_by_task" and relay == "thread":  # the comparison, in rounds
                    rounds = _compared_rounds(args, base, clients, base_work)
                    results.update(rounds[_median_round(rounds)])
                else:
                    results[f"place_own_stay_{mode}{suffix}"] = _run(base, clients, _stay_locks(args, clients),
                                                                     "/api/bookings/", 201)
                stop_all([server])
    finally:
        stop_all(processes, timeout=20)
        from travel.celery import app

        try:
            app.control.purge()  # the invoice submissions the placements queued: no worker here
        except Exception:  # noqa: BLE001 - the broker may be down; nothing to clean then
            pass

    from bench.machine import write_results

    document = {
        "question": "p99 of placing a booking at 20 concurrent clients while the sandbox supplier takes 3 s "
                    "to confirm (target < 100 ms), beside a minimal authenticated POST through the same stack",
        "setup": {"clients": args.clients, "requests_per_client": args.per_client, "rounds": args.rounds,
                  "minimal_post_requests_per_client": args.per_client * BASELINE_REQUESTS_FACTOR,
                  "server": f"gunicorn gthread {args.workers} workers × {args.threads} threads",
                  "supplier_book_latency_ms": 3000, "target_p99_ms": 100,
                  "load_average_before": [round(x, 2) for x in load_before],
                  "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        **results,
        "p99_over_baseline_ms": {k: round(r["p99_ms"] - results["baseline_minimal_post"]["p99_ms"], 1)
                                 for k, r in results.items() if k.startswith("place_")},
        # The targets: throughput >= 0.5x the minimal POST, p99 <= 2x its p99.
        "throughput_vs_baseline": {k: round(r["throughput_per_s"] / results["baseline_minimal_post"]["throughput_per_s"], 3)
                                   for k, r in results.items() if k.startswith("place_")},
        "p99_vs_baseline": {k: round(r["p99_ms"] / results["baseline_minimal_post"]["p99_ms"], 2)
                            for k, r in results.items() if k.startswith("place_")},
        # Beside the floor of the same work (bench/place_floor.py: the rows written by hand in one
        # statement, nothing relayed): what share of a placement's cost is the framework's and ours.
        "own_stay_vs_place_floor": {
            "throughput": round(results["place_own_stay_invoice_by_task"]["throughput_per_s"]
                                / results["place_floor_own_stay"]["throughput_per_s"], 3),
            "p99": round(results["place_own_stay_invoice_by_task"]["p99_ms"]
                         / results["place_floor_own_stay"]["p99_ms"], 2)},
        "outbox_relays": relays,
        # Every round of the comparison (the figures above are its median round's), with its ratios.
        "compared_rounds": [{**round_, **{name: _ratio(round_, over, beside) for name, (over, beside) in COMPARED.items()}}
                            for round_ in rounds],
        # Each ratio's median over the rounds, and its range.
        "compared_medians": {name: _median_ratios(rounds, over, beside) for name, (over, beside) in COMPARED.items()},
    }
    out = write_results("booking_place", document)
    print(f"{'scenario':26} {'n':>5} {'err':>4} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, r in results.items():
        print(f"{name:26} {r['requests']:5} {sum(r['errors'].values()):4} {r['throughput_per_s']:7} "
              f"{r['p50_ms']:7} {r['p95_ms']:7} {r['p99_ms']:7} {r['max_ms']:7}")
        for error, count in r["errors"].items():
            print(f"    {count} × {error}")
    for name, medians in document["compared_medians"].items():
        print(f"{name}: throughput {medians['throughput']['median']} (rounds {medians['throughput']['range']}), "
              f"p99 {medians['p99']['median']} (rounds {medians['p99']['range']})")
    print(f"wrote {out}")


BASELINE_REQUESTS_FACTOR = 4
BASELINE, PLACE, FLOOR = "baseline_minimal_post", "place_own_stay_invoice_by_task", "place_floor_own_stay"
# The ratios taken in each round: the (placing over the minimal POST), placing over the
# floor of its work, and that floor over the minimal POST (what the target asks, at best).
COMPARED = {"own_stay_vs_baseline": (PLACE, BASELINE), "own_stay_vs_place_floor": (PLACE, FLOOR),
            "place_floor_vs_baseline": (FLOOR, BASELINE)}


def _compared_rounds(args, base, clients, base_work) -> list[dict]:
    """The minimal POST, our placement and its hand-written floor, one after the other, ``--rounds``
    times on one server, each placement with a fresh price lock: a ratio is taken within a round,
    where the machine's load is the same for the three."""
    rounds = []
    for _ in range(args.rounds):
        stay_work, floor_work = _stay_locks(args, clients), _stay_locks(args, clients)
        rounds.append({BASELINE: _run(base, clients, base_work, BASELINE_PATH, 201),
                       PLACE: _run(base, clients, stay_work, "/api/bookings/", 201),
                       FLOOR: _run(base, clients, floor_work, PLACE_FLOOR_PATH, 201)})
    return rounds


def _ratio(round_: dict, over: str, beside: str) -> dict:
    """``over``'s throughput and p99 over ``beside``'s, in one round."""
    return {"throughput": round(round_[over]["throughput_per_s"] / round_[beside]["throughput_per_s"], 3),
            "p99": round(round_[over]["p99_ms"] / round_[beside]["p99_ms"], 2)}


def _median_ratios(rounds: list[dict], over: str, beside: str) -> dict:
    """``over`` beside ``beside``: each ratio's median over the rounds, with its lowest and highest."""
    ratios = [_ratio(round_, over, beside) for round_ in rounds]
    return {kind: {"median": statistics.median(r[kind] for r in ratios), "range": [min(r[kind] for r in ratios),
                                                                               max(r[kind] for r in ratios)]}
            for kind in ("throughput", "p99")}


def _median_round(rounds: list[dict]) -> int:
    """The index of the round whose placement/minimal POST throughput ratio is the median."""
    ordered = sorted(range(len(rounds)), key=lambda i: _ratio(rounds[i], PLACE, BASELINE)["throughput"])
    return ordered[len(ordered) // 2]


def _start_server(args, env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.booking_place:application", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", str(args.workers), "--threads", str(args.threads),
         "--log-level", "warning"],
        cwd=ROOT, env={**env, SERVER_ROLE: "1", "CONN_MAX_AGE": "600"},
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz", 60)
    return server, base


def _clients(args):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    clients = []
    for i in range(args.clients):
        user, created = User.objects.get_or_create(username=f"bench-traveller-{i}",
                                                   defaults={"email": f"bench{i}@example.com"})
        if created:
            user.set_unusable_password()
            user.save()
        clients.append({"user": user, "user_id": user.pk, "session": _session_for(user)})
    return clients


def _locks(args, clients):
    from datetime import timedelta

    from bench.world import bench_hotel
    from bookings.services.quoting import price_lock_offer
    from suppliers import search_offers

    today = bench_hotel(slug="bench", name="Bench", rooms=100000)[3]
    check_in = today + timedelta(days=20)
    offers = search_offers(kind="hotel", destination="Bali", check_in=check_in,
                           check_out=check_in + timedelta(days=2), guests=2, rooms=1).offers
    offer_work, base_work = {}, {}
    for n, c in enumerate(clients):
        offer_work[c["user_id"]] = []
        # the minimal POST answers four to five times faster: four times the requests, so that
        # it runs for a few seconds too and a moment's load does not make its figure
        base_work[c["user_id"]] = ["x" * 32] * (args.per_client * BASELINE_REQUESTS_FACTOR)
        for k in range(args.per_client):
            offer = offers[(n + k) % len(offers)]
            offer_work[c["user_id"]].append(price_lock_offer(user=c["user"], kind="hotel", offer_id=offer.id,
                                                             coin_code="USDT-TRC20").id)
    return offer_work, base_work


def _stay_locks(args, clients) -> dict[int, list[str]]:
    """A price lock of a two-night stay in the bench hotel for every request of every client."""
    from datetime import timedelta

    from bench.world import bench_hotel
    from bookings.services.quoting import price_lock_stay
    from inventory.stays import Stay

    _, room_type, plan, today = bench_hotel(slug="bench", name="Bench", rooms=100000)
    stay_work = {}
    for n, c in enumerate(clients):
        stay_work[c["user_id"]] = []
        for k in range(args.per_client):
            start = today + timedelta(days=1 + (n + k) % 50)
            stay = Stay(check_in=start, check_out=start + timedelta(days=2), rooms=1, guests=2)
            stay_work[c["user_id"]].append(price_lock_stay(user=c["user"], room_type=room_type, rate_plan=plan,
                                                           stay=stay, coin_code="BTC").id)
    return stay_work


if __name__ == "__main__":
    main()
