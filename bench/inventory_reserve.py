"""Benchmark of inventory_reserve(): oversells, collisions and retries, throughput and latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything REDIS_URL=redis://... \
        .venv/bin/python -m bench.inventory_reserve [--seconds 2.5] [--workers 8] [--skip-profile] [--chosen-only]

Runs against its own database (``bench_inventory`` on the same server, created and migrated
here), never the development or test database. Prints a table and writes
``bench/results/inventory_reserve.json``.

1. Channel profile: six channels book the same room-nights within a 200-400 ms window, burst
   after burst, with and without hash routing (``inventory.routing.shard_for``, the function the
   real Celery routing uses; the consumers are threads here, one per shard or per channel, each its own
   connection), under the chosen guard and under a strict version compare. Oversells (rooms held
   beyond a night's total) must be 0.
2. Throughput and p50/p99 of reserve() on one hot room-night and on spread-out room-nights,
   in worker processes, beside the same run's raw-SQL ceiling (the bare conditional UPDATE through the same driver),
   a hand-written psycopg version of reserve()'s transaction (the same rows written: hold, hold
   night, outbox row, night; then the outbox row marked handed over and the hot cache written),
   a raw SELECT ... FOR UPDATE transaction, and reserve() with the other night-write strategies.
   Target: reserve() >= 0.5x the psycopg transaction on the hot night, ratio within each round.
"""
import argparse
import multiprocessing
import os
import queue
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.scratch import create_database, scratch_url  # noqa: E402

BENCH_DB = "bench_inventory"
SOURCES = ("direct", "booking_com", "expedia", "agoda", "airbnb", "trip_com")


def _outbox_relay_argument() -> str:
    """--outbox-relay, read before Django's settings are (they read OUTBOX_RELAY)."""
    for i, arg in enumerate(sys.argv):
        if arg.startswith("--outbox-relay="):
            return arg.split("=", 1)[1]
        if arg == "--outbox-relay" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
    return "thread" if os.environ.get("CELERY_BROKER_URL") else "inline-no-broker"


def configure_environment() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/travel")  # the README's local server
    os.environ["DATABASE_URL"] = scratch_url(BENCH_DB, needs="The inventory benchmark needs PostgreSQL")
    os.environ["CACHE_KEY_PREFIX"] = BENCH_DB
    # The outbox as in production: with a broker (CELERY_BROKER_URL kept) each worker process's
    # relay thread hands the committed rows over in batches (OUTBOX_RELAY=thread); --outbox-relay
    # inline hands each one over after its commit instead; with no broker, inline in-process.
    relay = _outbox_relay_argument()
    os.environ["OUTBOX_RELAY"] = relay
    if relay == "inline-no-broker":
        os.environ["OUTBOX_RELAY"] = "inline"
        os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")
    os.environ["LOG_LEVEL"] = "ERROR"
    create_database(BENCH_DB)


configure_environment()
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.machine import write_results  # noqa: E402
from bench.reserve_floor import PsycopgReserve  # noqa: E402
from catalogue.models import Destination, Property, RoomType  # noqa: E402
from inventory import night_writes  # noqa: E402
from inventory.errors import InventoryError  # noqa: E402
from inventory.models import Hold, HoldNight, RoomNight  # noqa: E402
from inventory.routing import routing_key, shard_for  # noqa: E402
from inventory.services import inventory_reserve  # noqa: E402
from inventory.services.reserve import stats  # noqa: E402
from inventory.stays import Stay  # noqa: E402

# --- data ---------------------------------------------------------------------------------------

def fresh_room_types(label: str, count: int, *, total: int, days: int) -> list[RoomType]:
    destination, _ = Destination.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "country": "Thailand", "country_code": "TH", "summary": "-",
                                "latitude": 13, "longitude": 100})
    prop = Property.objects.create(
        destination=destination, name=f"Bench {label} {time.time_ns()}", slug=f"bench-{label}-{time.time_ns()}",
        star_rating=4, summary="-", street_address="-", locality="-", country_code="TH", latitude=13,
        longitude=100)
    today = timezone.localdate()
    room_types = []
    for i in range(count):
        room_type = RoomType.objects.create(property=prop, code=f"r{i}", name=f"Room {i}", max_occupancy=4)
        RoomNight.objects.bulk_create(RoomNight(room_type=room_type, date=today + timedelta(days=d), total=total,
                                                available=total, max_stay=30) for d in range(days))
        room_types.append(room_type)
    return room_types


def oversells(room_types: list[RoomType]) -> dict:
    """Rooms held beyond a night's total, and nights whose count disagrees with their holds."""
    held = {}
    for night_id, rooms in HoldNight.objects.filter(
            hold__room_type__in=room_types, hold__status=Hold.Status.HELD).values_list("room_night_id", "rooms"):
        held[night_id] = held.get(night_id, 0) + rooms
    over = mismatched = 0
    for night in RoomNight.objects.filter(room_type__in=room_types):
        over += max(0, held.get(night.pk, 0) - night.total)
        mismatched += (night.total - night.available) != held.get(night.pk, 0)
    return {"rooms_oversold": over, "nights_miscounted": mismatched}


# --- 1. the channel profile ---------------------------------------------------------------------

def channel_profile(*, routed: bool, strategy: str, seconds: float, seed: int) -> dict:
    night_writes.ACTIVE = strategy
    room_types = fresh_room_types(f"profile-{strategy}-{routed}", 3, total=3, days=40)
    rng = random.Random(seed)
    today = timezone.localdate()
    # Bursts: a target stay, six channels asking for it within one 200-400 ms window.
    requests = []
    burst_at = 0.0
    while burst_at < seconds:
        room_type = rng.choice(room_types)
        check_in = today + timedelta(days=rng.randint(1, 30))
        nights = rng.randint(1, 3)
        window = rng.uniform(0.2, 0.4)
        for source in SOURCES:
            requests.append((burst_at + rng.uniform(0, window), source, room_type, check_in, nights))
        burst_at += rng.uniform(0.05, 0.15)
    requests.sort(key=lambda r: r[0])

    consumers = 4 if routed else len(SOURCES)
    inboxes = [queue.Queue() for _ in range(consumers)]
    outcomes = {"held": 0, "sold_out": 0, "restricted": 0, "busy": 0}
    lock = threading.Lock()
    before = stats.snapshot()

    def consume(inbox):
        try:
            while (item := inbox.get()) is not None:
                _at, source, room_type, check_in, nights = item
                try:
                    inventory_reserve(room_type=room_type, stay=Stay(check_in, check_in + timedelta(days=nights)),
                                      source=source)
                    code = "held"
                except InventoryError as exc:
                    code = exc.code
                with lock:
                    outcomes[code] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=consume, args=(inbox,)) for inbox in inboxes]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for at, source, room_type, check_in, nights in requests:
        delay = at - (time.perf_counter() - started)
        if delay > 0:
            time.sleep(delay)
        if routed:
            key = routing_key(property_id=room_type.property_id, room_type_id=room_type.pk, night=check_in)
            index = shard_for(key, consumers)
        else:
            index = SOURCES.index(source)  # each channel's own consumer
        inboxes[index].put((at, source, room_type, check_in, nights))
    for inbox in inboxes:
        inbox.put(None)
    for thread in threads:
        thread.join(timeout=120)
    after = stats.snapshot()
    night_writes.ACTIVE = night_writes.GUARD
    attempts = len(requests) + after["retries"] - before["retries"]
    return {
        "strategy": strategy, "routed": routed, "consumers": consumers, "requests": len(requests),
        "attempts": attempts, "retries": after["retries"] - before["retries"],
        "retry_rate_pct": round(100 * (after["retries"] - before["retries"]) / attempts, 3),
        "collisions": after["collisions"] - before["collisions"],
        "collision_rate_pct": round(100 * (after["collisions"] - before["collisions"]) / len(requests), 3),
        "outcomes": outcomes, **oversells(room_types),
    }


# --- 2. throughput and latency --------------------------------------------------------------------

def raw_update(night_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_roomnight SET available = available - 1, version = version + 1 "
                       "WHERE id = %s AND available >= 1", [night_id])
        if cursor.rowcount != 1:
            raise RuntimeError("sold out")


def raw_for_update(night_id: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT available FROM inventory_roomnight WHERE id = %s FOR UPDATE", [night_id])
        if cursor.fetchone()[0] < 1:
            raise RuntimeError("sold out")
        cursor.execute("UPDATE inventory_roomnight SET available = available - 1, version = version + 1 "
                       "WHERE id = %s", [night_id])


def throughput(*, name: str, hot: bool, seconds: float, workers: int, strategy: str = night_writes.GUARD) -> dict:
    """``workers`` processes (as gunicorn and Celery run), each its own connection, for ``seconds``."""
    room_types = fresh_room_types(f"{name}-{'hot' if hot else 'spread'}", 1 if hot else 4,
                                  total=10_000_000, days=1 if hot else 200)
    nights = list(RoomNight.objects.filter(room_type__in=room_types).values_list("pk", "room_type_id", "date"))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inventory_roomnight")
    connection.close()  # never share a connection across fork
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(workers + 1), context.Queue()
    processes = [context.Process(target=_throughput_worker, args=(
        index, name, strategy, hot, nights, room_types, seconds, barrier, results)) for index in range(workers)]
    for process in processes:
        process.start()
    barrier.wait(timeout=60)
    began = time.perf_counter()
    collected = [results.get(timeout=seconds + 120) for _ in processes]
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join(timeout=30)
    done = sorted(x for r in collected for x in r["latencies"])
    return {
        "variant": name, "strategy": strategy if not name.startswith("raw") else "-", "hot": hot,
        "workers": workers, "ops": len(done), "failed": sum(r["failed"] for r in collected),
        "ops_per_s": round(len(done) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(done), 2) if done else None,
        "p99_ms": round(1000 * done[int(0.99 * (len(done) - 1))], 2) if done else None,
        "retries": sum(r["retries"] for r in collected), "collisions": sum(r["collisions"] for r in collected),
    }


def _throughput_worker(index, name, strategy, hot, nights, room_types, seconds, barrier, results):
    night_writes.ACTIVE = strategy
    if name == "reserve_no_after_commit":
        # Diagnostic only (this process): skip the outbox hand-over and the cache write that run after
        # commit, to show how much of reserve()'s cost is the transaction itself.
        import core.outbox
        import core.relay
        import inventory.changes

        core.outbox.outbox_deliver = lambda **kwargs: True
        core.relay.hand_off = lambda message_id, log_context=None: None
        inventory.changes.hot_cache_write = lambda entries: None
    # Nothing subscribes to inventory.changed here: the outbox hand-over is the claim and the mark
    # (batched by the relay thread, or the row's own transaction inline), as in production minus
    # the broker publish (embedded mode would otherwise run the channel manager's consumer
    # in-process, which is not reserve()'s work).
    import core.outbox

    core.outbox._subscribers.clear()
    from inventory.cache import hot_cache

    hot_cache()  # one-time imports and the Redis pool before the clock starts (as a warm server has them)
    psycopg_reserve = PsycopgReserve() if name == "raw_psycopg_reserve" else None
    by_id = {rt.pk: rt for rt in room_types}
    rng = random.Random(index)
    latencies, failed = [], 0
    connection.ensure_connection()
    before = stats.snapshot()
    barrier.wait(timeout=60)
    stop_at = time.perf_counter() + seconds
    while (start := time.perf_counter()) < stop_at:
        pk, room_type_id, night = nights[0] if hot else rng.choice(nights)
        try:
            if name == "raw_update":
                raw_update(pk)
            elif name == "raw_for_update":
                raw_for_update(pk)
            elif psycopg_reserve is not None:
                psycopg_reserve.reserve(room_type=by_id[room_type_id], night_date=night)
            else:
                inventory_reserve(room_type=by_id[room_type_id], stay=Stay(night, night + timedelta(days=1)),
                                  source="bench")
            latencies.append(time.perf_counter() - start)
        except (RuntimeError, InventoryError):
            failed += 1
    after = stats.snapshot()
    connection.close()
    if psycopg_reserve is not None:
        psycopg_reserve.conn.close()
    results.put({"latencies": latencies, "failed": failed, "retries": after["retries"] - before["retries"],
                 "collisions": after["collisions"] - before["collisions"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.5, help="per throughput variant and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the throughput variants")
    parser.add_argument("--profile-seconds", type=float, default=8.0, help="per channel-profile run")
    parser.add_argument("--workers", type=int, default=8, help="processes per throughput variant")
    parser.add_argument("--skip-profile", action="store_true", help="no channel profile (throughput only)")
    parser.add_argument("--outbox-relay", choices=("thread", "inline", "inline-no-broker"),
                        default=_outbox_relay_argument(),
                        help="how outbox rows are handed over (thread: the relay, needs CELERY_BROKER_URL)")
    parser.add_argument("--chosen-only", action="store_true",
                        help="only the ceiling, the psycopg transaction and reserve() with the guard")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    began = time.perf_counter()

    profile = [] if args.skip_profile else [
        channel_profile(routed=routed, strategy=strategy, seconds=args.profile_seconds, seed=7)
        for strategy in (night_writes.GUARD, night_writes.VERSION) for routed in (False, True)]
    print("\nSix channels, same room-nights within 200-400 ms (oversold must be 0)")
    print(f"{'strategy':<10} {'routed':<7} {'requests':>8} {'retry %':>8} {'collide %':>9} {'held':>5} "
          f"{'sold out':>8} {'busy':>5} {'oversold':>8}")
    for r in profile:
        print(f"{r['strategy']:<10} {str(r['routed']):<7} {r['requests']:>8} {r['retry_rate_pct']:>8} "
              f"{r['collision_rate_pct']:>9} {r['outcomes']['held']:>5} {r['outcomes']['sold_out']:>8} "
              f"{r['outcomes']['busy']:>5} {r['rooms_oversold']:>8}")

    variants = [("raw_update", night_writes.GUARD), ("raw_psycopg_reserve", night_writes.GUARD),
                ("reserve", night_writes.GUARD)]
    if not args.chosen_only:
        variants += [("raw_for_update", night_writes.GUARD), ("reserve", night_writes.VERSION),
                     ("reserve", night_writes.FOR_UPDATE), ("reserve_no_after_commit", night_writes.GUARD)]
    # Rounds interleave the variants, so that the load of a shared machine drifting during the run
    # does not favour one of them; the table shows the median of the rounds.
    every_run = [throughput(name=name, hot=hot, seconds=args.seconds, workers=args.workers, strategy=strategy)
                 for _round in range(args.rounds) for hot in (True, False) for name, strategy in variants]
    runs = []
    for hot in (True, False):
        for name, strategy in variants:
            same = [r for r in every_run if (r["variant"], r["hot"]) == (name, hot)
                    and (name.startswith("raw") or r["strategy"] == strategy)]
            runs.append({**same[0], "rounds": len(same),
                         **{key: round(statistics.median(r[key] for r in same), 2) for key in ("ops_per_s", "p50_ms", "p99_ms")},
                         **{key: sum(r[key] for r in same) for key in ("ops", "failed", "retries", "collisions")},
                         "ops_per_s_each_round": [r["ops_per_s"] for r in same]})
    print(f"\nThroughput, {args.workers} processes, {args.seconds:g} s per variant and round, "
          f"median of {args.rounds} rounds")
    print(f"{'variant':<24} {'strategy':<11} {'nights':<7} {'ops/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'failed':>6} {'retries':>7} {'collide':>7}")
    for r in runs:
        print(f"{r['variant']:<24} {r['strategy']:<11} {'hot' if r['hot'] else 'spread':<7} {r['ops_per_s']:>8} "
              f"{r['p50_ms']:>7} {r['p99_ms']:>7} {r['failed']:>6} {r['retries']:>7} {r['collisions']:>7}")
    def per_round_ratio(numerator: str, denominator: str, hot: bool) -> float:
        """The median over rounds of the ratio within each round (same load for both)."""
        ratios = []
        for number in range(args.rounds):
            chosen_round = [r for r in every_run if r["hot"] == hot and r["strategy"] in ("guard", "-")]
            top = [r for r in chosen_round if r["variant"] == numerator][number]
            bottom = [r for r in chosen_round if r["variant"] == denominator][number]
            ratios.append(top["ops_per_s"] / bottom["ops_per_s"])
        return round(statistics.median(ratios), 3)

    vs_ceiling = {("hot" if hot else "spread"): per_round_ratio("reserve", "raw_update", hot) for hot in (True, False)}
    vs_psycopg = {("hot" if hot else "spread"): per_round_ratio("reserve", "raw_psycopg_reserve", hot)
                  for hot in (True, False)}
    routed = next((r for r in profile if r["strategy"] == "guard" and r["routed"]), None)
    summary = {
        "oversold_total": sum(r["rooms_oversold"] for r in profile),
        "retry_rate_pct_routed_chosen": routed["retry_rate_pct"] if routed else None,
        "reserve_vs_raw_ceiling": vs_ceiling,
        "reserve_vs_psycopg_transaction": vs_psycopg,
        "targets": {"oversells_zero": sum(r["rooms_oversold"] for r in profile) == 0,
                    "retry_rate_routed_below_0_3_pct": routed["retry_rate_pct"] < 0.3 if routed else None,
                    "hot_reserve_at_least_half_psycopg": vs_psycopg["hot"] >= 0.5},
        "load_average_at_end": os.getloadavg(),
        "wall_seconds": round(time.perf_counter() - began, 1),
    }
    print(f"\nreserve() / psycopg transaction: {vs_psycopg}; reserve() / one-statement ceiling: {vs_ceiling}; "
          f"targets: {summary['targets']}")
    path = write_results("inventory_reserve", {"channel_profile": profile, "throughput": runs,
                                       "throughput_every_round": every_run, "summary": summary,
                                       "settings": vars(args)})
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
