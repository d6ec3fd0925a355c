"""The caps' count of a traveller's pending bookings, with and without its partial index.

    # with the full-stack variables set (README: DATABASE_URL, REDIS_URL, CELERY_BROKER_URL)
    .venv/bin/python -m bench.pending_caps [--bookings 300000] [--calls 2000] [--rounds 3]

Every price lock and every placement counts the traveller's pending bookings and the room-nights
they hold (``bookings.limits.pending_holdings``). With only the indexes on ``user`` and on
``status``, PostgreSQL reads every booking the traveller ever made, or every pending booking of
the whole site, and keeps those of both. The partial index ``booking_pending_by_user`` (``user``
where the status is pending) reads the traveller's pending bookings only.

A scratch database ``<the stack's database>_caps``, made afresh and dropped at the end: ``--bookings`` bookings of 20,000
travellers, one in 20 pending, ANALYZEd; beside them a frequent traveller (2,000 bookings, 3
pending) and a new one (1 booking, pending). For each, ``--calls`` counts through the project's
own ``pending_holdings``, the index present and then dropped (in a transaction rolled back after),
alternating over ``--rounds``; the median microseconds per count, each side's plan, and the ratio,
printed and written to ``bench/results/pending_caps.json``. What the index costs a write: the same
comparison for ``--calls`` INSERTs of a pending booking (the placing's booking row), one at a time.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import scratch_name, use_scratch_database  # noqa: E402

DATABASE = "caps"
TRAVELLERS = 20_000
INDEX = "booking_pending_by_user"

_TRAVELLERS_SQL = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                       date_joined)
SELECT '', false, %(prefix)s || g, '', '', '', false, true, now() FROM generate_series(1, %(n)s) g
RETURNING id
"""

# ``n`` bookings of the travellers ``first_user`` .. ``first_user + users - 1``, one in ``pending_every`` pending.
_BOOKINGS_SQL = """
INSERT INTO bookings_booking (reference, kind, status, title, check_in, check_out, rooms, guests, refundable,
    free_cancellation_days, subtotal, discount, total, currency, coin_code, coin_rate, crypto_amount,
    redemption_code, points_redeemed, idempotency_key, request_fingerprint, created_at, updated_at, user_id,
    lead_document_number, lead_email, lead_name, lead_phone, special_requests)
SELECT %(prefix)s || g, 'stay', CASE WHEN g %% %(pending_every)s = 0 THEN 'pending' ELSE 'completed' END, 'Stay',
    current_date + 10, current_date + 12, 1, 2, true, 0, 200, 0, 200, 'USD', 'BTC', 60000, 0.0034, '', 0,
    %(prefix)s || g, '', now(), now(), %(first_user)s + (g %% %(users)s), '', '', 'Guest', '', ''
FROM generate_series(1, %(n)s) g
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=300_000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from bench.scratch import create_database, drop_database

    database = scratch_name(DATABASE)  # before use_scratch_database points DATABASE_URL at it
    use_scratch_database(DATABASE, needs="The caps benchmark needs PostgreSQL")
    create_database(database, drop_first=True)  # afresh: the same world every run
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    travellers = _world(args.bookings)
    results = {"question": "µs per count of a traveller's pending bookings, with the partial index and without",
               "bookings": args.bookings + 2_001, "calls": args.calls, "rounds": args.rounds, "travellers": {}}
    for traveller, user_id in travellers.items():
        results["travellers"][traveller] = _compare(user_id, calls=args.calls, rounds=args.rounds)
    results["insert_pending"] = _compare_inserts(travellers["new (1 booking, pending)"], calls=args.calls,
                                                 rounds=args.rounds)
    _print(results)
    from bench.machine import write_results

    print(f"wrote {write_results('pending_caps', results)}")
    connection.close()
    drop_database(database)


def _world(bookings: int) -> dict[str, int]:
    """The site's bookings, the frequent traveller's and the new traveller's; their user ids."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_TRAVELLERS_SQL, {"prefix": "caps-", "n": TRAVELLERS + 2})
        ids = sorted(row[0] for row in cursor.fetchall())
        frequent, new = ids[-2], ids[-1]
        cursor.execute(_BOOKINGS_SQL, {"prefix": "S", "n": bookings, "users": TRAVELLERS, "first_user": ids[0],
                                       "pending_every": 20})
        cursor.execute(_BOOKINGS_SQL, {"prefix": "F", "n": 2_000, "users": 1, "first_user": frequent,
                                       "pending_every": 666})  # 3 of 2,000
        cursor.execute(_BOOKINGS_SQL, {"prefix": "N", "n": 1, "users": 1, "first_user": new, "pending_every": 1})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"frequent (2,000 bookings, 3 pending)": frequent, "new (1 booking, pending)": new}


def _compare(user_id: int, *, calls: int, rounds: int) -> dict:
    from bookings.limits import pending_holdings

    user = SimpleNamespace(pk=user_id)
    counts = {pending_holdings(user=user)}
    with_index, without = [], []
    for _ in range(rounds):
        with_index.append(_timed(user, calls, drop_index=False))
        without.append(_timed(user, calls, drop_index=True))
        counts |= {pending_holdings(user=user)}
    assert len(counts) == 1, counts  # both ways count the same
    median_with, median_without = statistics.median(with_index), statistics.median(without)
    return {
        "pending, room-nights": list(counts.pop()),
        "with_index_us": round(median_with, 1), "with_index_rounds_us": [round(x, 1) for x in with_index],
        "without_index_us": round(median_without, 1), "without_index_rounds_us": [round(x, 1) for x in without],
        "without_over_with": round(median_without / median_with, 2),
        "plan_with_index": _plan(user_id, drop_index=False), "plan_without_index": _plan(user_id, drop_index=True),
    }


def _compare_inserts(user_id: int, *, calls: int, rounds: int) -> dict:
    with_index, without = [], []
    for number in range(rounds):
        with_index.append(_timed_inserts(user_id, calls, drop_index=False, prefix=f"W{number}-"))
        without.append(_timed_inserts(user_id, calls, drop_index=True, prefix=f"O{number}-"))
    median_with, median_without = statistics.median(with_index), statistics.median(without)
    return {"with_index_us": round(median_with, 1), "with_index_rounds_us": [round(x, 1) for x in with_index],
            "without_index_us": round(median_without, 1), "without_index_rounds_us": [round(x, 1) for x in without],
            "with_over_without": round(median_with / median_without, 2)}


def _timed(user, calls: int, *, drop_index: bool) -> float:
    """µs per count, ``calls`` counts in one transaction (the index dropped in it when asked)."""
    from bookings.limits import pending_holdings

    return _timed_in_transaction(lambda _n: pending_holdings(user=user), calls, drop_index=drop_index)


def _timed_inserts(user_id: int, calls: int, *, drop_index: bool, prefix: str) -> float:
    """µs per INSERT of one pending booking (rolled back with the transaction)."""
    from django.db import connection

    def insert(n: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_BOOKINGS_SQL, {"prefix": f"{prefix}{n}-", "n": 1, "users": 1, "first_user": user_id,
                                           "pending_every": 1})

    return _timed_in_transaction(insert, calls, drop_index=drop_index)


def _timed_in_transaction(work, calls: int, *, drop_index: bool) -> float:
    """µs per ``work(n)``, ``calls`` of them in one transaction (the index dropped in it when asked),
    rolled back after: the index is back and nothing written stays."""
    from django.db import connection, transaction

    with transaction.atomic():
        if drop_index:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {INDEX}")
        started = time.perf_counter()
        for n in range(calls):
            work(n)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed / calls * 1e6


def _plan(user_id: int, *, drop_index: bool) -> list[str]:
    from django.db import connection, transaction

    from bookings.limits import _PENDING_HOLDINGS_SQL
    from bookings.models import Booking

    with transaction.atomic(), connection.cursor() as cursor:
        if drop_index:
            cursor.execute(f"DROP INDEX {INDEX}")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + _PENDING_HOLDINGS_SQL,
                       [Booking.Kind.STAY, user_id, Booking.Status.PENDING])
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def _print(results: dict) -> None:
    print(f"{results['bookings']:,} bookings, {results['calls']} counts × {results['rounds']} rounds each")
    for name, figures in results["travellers"].items():
        print(f"{name}: with the partial index {figures['with_index_us']} µs, without {figures['without_index_us']} µs"
              f" ({figures['without_over_with']}×)")
        print("  index scans with:    " + _scans(figures["plan_with_index"]))
        print("  index scans without: " + _scans(figures["plan_without_index"]))
    inserts = results["insert_pending"]
    print(f"INSERT of a pending booking: with the partial index {inserts['with_index_us']} µs, without "
          f"{inserts['without_index_us']} µs ({inserts['with_over_without']}×)")



def _scans(plan: list[str]) -> str:
    return " / ".join(line.strip().removeprefix("->  ") for line in plan if "Index Scan" in line)


if __name__ == "__main__":
    main()
