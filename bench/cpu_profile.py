"""In-process CPU and statement profile of the three paths of issue 16, one operation at a time.

    # with the full-stack variables set (README: DATABASE_URL, REDIS_URL, CELERY_BROKER_URL)
    .venv/bin/python -m bench.cpu_profile baseline_post place reserve reserve_quiet reserve_floor hotel_dates [--n 200] [--rounds 3] [--top 25]

Throughput on a shared 2-core machine swings with everyone else's load; the CPU a process spends
per operation (``time.process_time``, the relay thread's share included) and the statements it
sends (``CaptureQueriesContext``, this thread's connection) hardly do. For each path:

- ``place``: ``POST /api/bookings/`` through the whole stack in process (Django's test client:
  middleware, session auth, CSRF off as for an API client, DRF, serializers), an own-inventory
  stay with a fresh price lock and Idempotency-Key each time, the invoice by task (the default),
  the outbox relayed by this process's relay thread;
- ``baseline_post``: the minimal authenticated POST (bench/baseline.py) the placing benchmark
  compares with, through the same client: ``place``'s CPU over it is the in-process view of that ratio;
- ``place_floor``: the same placements by bench/place_floor.py (the rows written by hand in one
  statement, no ORM, no serializers, nothing relayed): ``place``'s CPU over it is what is ours;
- ``reserve``: ``inventory_reserve()`` of one night, one after another;
- ``reserve_quiet`` and ``reserve_floor``: reserve() and bench/reserve_floor.py's hand-written
  psycopg version as bench/inventory_reserve.py compares them (nothing subscribed to
  ``inventory.changed``: the hand-over is the claim and the mark);
- ``hotel_dates``: ``GET /hotels/<slug>/?check_in=..&check_out=..`` by an anonymous visitor, the
  same stay again and again (a page-cache hit: the fingerprint query and one Redis GET).

Prints, per path, the median over rounds of CPU ms (this process's, and the PostgreSQL backends'
serving it when the server runs on this machine) and wall ms per operation and the statements
per operation (with their text once), then ``--top`` functions from cProfile timed on the calling thread's CPU (waits do not count).
Runs against its own database, ``<the DATABASE_URL database>_cpu`` (created and migrated here).
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure_environment() -> None:
    from bench.scratch import use_scratch_database

    use_scratch_database("cpu", needs="The CPU profile needs PostgreSQL, Redis and RabbitMQ")
    os.environ.update({"BOOKINGS_MAX_PENDING": "1000000", "BOOKINGS_MAX_PENDING_ROOM_NIGHTS": "1000000",
                       "BOOKINGS_MAX_LIVE_LOCKS": "0", "THROTTLE_API_RATE": "1000000/min",
                       "THROTTLE_PRICE_LOCK_RATE": "1000000/min", "THROTTLE_PLACEMENT_RATE": "1000000/min"})


_configure_environment()
import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

GUESTS = {"lead": {"name": "Bench Traveller", "email": "bench@example.com", "phone": "+44 20 7946 0958"},
          "others": ["Second Traveller"]}


def _hotel():
    from bench.world import bench_hotel

    return bench_hotel(slug="cpu", name="CPU", rooms=1000000)


def _traveller():
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="cpu-traveller",
                                                           defaults={"email": "cpu@example.com"})
    if created:
        user.set_unusable_password()
        user.save()
    from bench.world import expire_pending

    expire_pending([user.pk])  # earlier runs' placements: each run would cost more than the last
    return user


# --- the paths: each returns (prepare(n) -> state, one(state, i)) ------------------------------

def place_path(path: str = "/api/bookings/"):
    from bookings.services.quoting import price_lock_stay
    from inventory.stays import Stay

    _prop, room_type, plan, today = _hotel()
    user = _traveller()
    client = Client()
    client.force_login(user)

    def prepare(n):
        locks = []
        for k in range(n):
            start = today + timedelta(days=1 + k % 50)
            stay = Stay(check_in=start, check_out=start + timedelta(days=2), rooms=1, guests=2)
            locks.append(price_lock_stay(user=user, room_type=room_type, rate_plan=plan, stay=stay,
                                         coin_code="BTC").id)
        return locks

    def one(locks, i):
        response = client.post(path, {"lock_id": locks[i], "guests": GUESTS},
                               content_type="application/json", headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.content[:300]

    return prepare, one


def place_floor_path():
    from bench.place_floor import PLACE_FLOOR_PATH

    return place_path(path=PLACE_FLOOR_PATH)


def reserve_path():
    from inventory.services import inventory_reserve
    from inventory.stays import Stay

    _prop, room_type, _plan, today = _hotel()

    def prepare(n):
        return [Stay(check_in=today + timedelta(days=1 + k % 50), check_out=today + timedelta(days=2 + k % 50),
                     rooms=1, guests=2) for k in range(n)]

    def one(stays, i):
        inventory_reserve(room_type=room_type, stay=stays[i], source="direct")

    return prepare, one


def _as_the_throughput_bench():
    """What bench/inventory_reserve.py measures reserve() and its floor under: nothing subscribes
    to ``inventory.changed``, so the outbox hand-over is the claim and the mark (``main`` puts the
    subscribers back after the path)."""
    import core.outbox

    core.outbox._subscribers.clear()


def reserve_quiet_path():
    """``reserve`` as bench/inventory_reserve.py runs it: beside ``reserve_floor``, what is ours."""
    _as_the_throughput_bench()
    return reserve_path()


def reserve_floor_path():
    """The same reservations by bench/reserve_floor.py (psycopg, no ORM, no Django)."""
    from bench.reserve_floor import PsycopgReserve

    _as_the_throughput_bench()
    _prop, room_type, _plan, today = _hotel()
    floor = PsycopgReserve()

    def prepare(n):
        return [today + timedelta(days=1 + k % 50) for k in range(n)]

    def one(dates, i):
        floor.reserve(room_type=room_type, night_date=dates[i])

    return prepare, one


def hotel_dates_path():
    prop, _room_type, _plan, today = _hotel()
    client = Client()
    check_in = today + timedelta(days=7)
    url = f"/hotels/{prop.slug}/?check_in={check_in}&check_out={check_in + timedelta(days=3)}&guests=2&rooms=1"
    first = client.get(url)  # builds and caches the page
    assert first.status_code == 200, first.status_code

    def prepare(n):
        return url

    def one(url_, i):
        response = client.get(url_)
        assert response.status_code == 200 and response["X-Page-Cache"] == "hit", response.status_code

    return prepare, one


def baseline_post_path():
    """The floor ``place`` is compared with: the minimal authenticated POST (bench/baseline.py)."""
    from bench.baseline import BASELINE_PATH

    client = Client()
    client.force_login(_traveller())

    def prepare(n):
        return None

    def one(_state, i):
        response = client.post(BASELINE_PATH, {"lock_id": "x" * 32, "guests": GUESTS}, content_type="application/json",
                               headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.status_code

    return prepare, one


PATHS = {"baseline_post": baseline_post_path, "place_floor": place_floor_path, "place": place_path, "reserve": reserve_path,
         "reserve_quiet": reserve_quiet_path, "reserve_floor": reserve_floor_path, "hotel_dates": hotel_dates_path}


def _backend_cpu() -> dict[int, float] | None:
    """CPU seconds used so far by each PostgreSQL backend serving this scratch database (the
    calling thread's connection and the relay's), read from /proc: None when the server is not on
    this machine or /proc does not show its processes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [pid for (pid,) in cursor.fetchall()]
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return used


def _round(prepare, one, n):
    """(process CPU, this thread's CPU, wall, the database backends' CPU or nan) per operation, in
    ms. A backend that disconnected during the round is not counted (the relay's reconnects only
    after half a second idle)."""
    state = prepare(n)
    backends = _backend_cpu()
    wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
    for i in range(n):
        one(state, i)
    per_op = [time.process_time() - cpu, time.thread_time() - thread, time.perf_counter() - wall]
    after = _backend_cpu() if backends is not None else None
    database = float("nan") if after is None else sum(v - backends.get(pid, 0.0) for pid, v in after.items())
    return tuple(value / n * 1000 for value in [*per_op, database])


def _statements(prepare, one) -> list[str]:
    state = prepare(2)
    one(state, 0)  # warm
    with CaptureQueriesContext(connection) as queries:
        one(state, 1)
    return [q["sql"] for q in queries.captured_queries]


def _short(sql: str) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= 110 else sql[:107] + "..."


def profile(name: str, args) -> dict:
    prepare, one = PATHS[name]()
    _round(prepare, one, min(args.n, 20))  # warm-up: connections, caches, imports
    rounds = [_round(prepare, one, args.n) for _ in range(args.rounds)]
    cpu, thread_cpu, wall, database_cpu = (statistics.median(r[k] for r in rounds) for k in range(4))
    statements = _statements(prepare, one)
    print(f"\n=== {name}: {args.n} operations × {args.rounds} rounds, load {os.getloadavg()[0]:.1f}")
    print(f"CPU {cpu:.2f} ms/op (rounds {', '.join(f'{r[0]:.2f}' for r in rounds)}), of which the calling thread "
          f"{thread_cpu:.2f}; database backends {database_cpu:.2f}; wall {wall:.2f} ms/op; "
          f"{len(statements)} statements/op")
    kinds = Counter(s.split()[0].upper() for s in statements)
    print("  statements by kind:", dict(kinds))
    for sql in statements:
        print("   ", _short(sql))
    if args.top:
        state = prepare(args.n)
        profiler = cProfile.Profile(time.thread_time)  # CPU of this thread: waits do not count
        profiler.enable()
        for i in range(args.n):
            one(state, i)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.dump:
            stats.dump_stats(f"{args.dump}.{name}.pstats")
    return {"cpu_ms": round(cpu, 3), "thread_cpu_ms": round(thread_cpu, 3), "database_cpu_ms": round(database_cpu, 3),
            "wall_ms": round(wall, 3),
            "statements": len(statements)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", choices=[[], *PATHS], help="default: all of them")
    parser.add_argument("--n", type=int, default=200, help="operations per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=0, help="print the top N functions of a cProfile run")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, ...")
    parser.add_argument("--dump", default="", help="also write the cProfile stats to <DUMP>.<path>.pstats")
    args = parser.parse_args()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's response attributes, no outgoing mail
    settings.DEBUG = False
    settings.ROOT_URLCONF = "bench.baseline"  # the project's URLs plus the minimal POST
    import core.outbox

    subscribers = {topic: list(names) for topic, names in core.outbox._subscribers.items()}
    results = {}
    for name in args.paths or PATHS:
        results[name] = profile(name, args)
        core.outbox._subscribers.clear()
        core.outbox._subscribers.update(subscribers)
    print("\n" + "  ".join(f"{k}: {v['cpu_ms']} ms CPU, {v['statements']} statements" for k, v in results.items()))
    if "reserve_quiet" in results and "reserve_floor" in results:
        print(f"reserve_quiet / reserve_floor, CPU: "
              f"{results['reserve_quiet']['cpu_ms'] / results['reserve_floor']['cpu_ms']:.2f}x")
    for floor in ("baseline_post", "place_floor"):
        if "place" in results and floor in results:
            print(f"place / {floor}, CPU: {results['place']['cpu_ms'] / results[floor]['cpu_ms']:.2f}x "
                  "(throughput at 0.5x the floor needs about 2x or less, when CPU bound)")


if __name__ == "__main__":
    main()
