"""Redemption throughput on PostgreSQL: one hot account vs the same work spread over many.

    .venv/bin/python -m bench.rewards_redeem [threads] [per_thread]   (full-stack variables set, README; or make bench)

Runs in a scratch database (created and dropped here). Three runs with the same threads and
attempts: ``hot`` (every thread redeems from one account, the real service, serialised by its
row lock), ``spread`` (each thread its own account: the ceiling without contention) and
``naive_hot`` (the unlocked read-then-write on one account, to count the overdraws the lock
prevents). Writes bench/results/rewards_redeem.json.
"""
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.scratch import create_database, drop_database, scratch_name, scratch_url  # noqa: E402

SCRATCH = scratch_name("bench_rewards")
os.environ["DATABASE_URL"] = scratch_url(SCRATCH, needs="The rewards benchmark needs PostgreSQL")
os.environ["CONN_MAX_AGE"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")


def main(threads: int, per_thread: int) -> None:
    create_database(SCRATCH, drop_first=True)
    try:
        run(threads, per_thread)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(SCRATCH)


def run(threads: int, per_thread: int) -> None:
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Sum
    from django.utils import timezone

    from bench.machine import write_results
    from rewards.models import Account, Entry
    from rewards.services import balance_adjust, points_hold

    call_command("migrate", verbosity=0)
    User = get_user_model()
    staff = User.objects.create(username="bench-staff", is_staff=True)
    attempts = threads * per_thread
    each = 10
    # the hot account can pay for half the attempts: the rest must be refused
    start_points = attempts * each // 2

    def account(name: str, points: int):
        user = User.objects.create(username=name)
        balance_adjust(user_id=user.pk, points=points, reason="bench", staff_user=staff)
        return user

    def locked(user, ref):
        try:
            points_hold(user=user, booking_reference=ref, amount=each, fiat_total=Decimal("100"), currency="USD")
            return True
        except ValidationError:
            return False

    def naive(user, ref):
        with transaction.atomic():
            acc = Account.objects.get(user=user)
            available = Entry.objects.filter(account=acc).aggregate(s=Sum("available_delta"))["s"] or 0
            if available < each:
                return False
            Entry.objects.create(account=acc, kind="hold", source_key=f"naive:{ref}", available_delta=-each,
                                 held_delta=each, booking_reference=ref, created_at=timezone.now())
            return True

    def timed(name, users, work):
        barrier = threading.Barrier(threads)
        granted = [0] * threads

        def target(i):
            barrier.wait()
            try:
                for j in range(per_thread):
                    granted[i] += work(users[i], f"{name}-{i}-{j}")
            finally:
                connection.close()

        pool = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
        began = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        seconds = time.perf_counter() - began
        return {"attempts": attempts, "granted": sum(granted), "seconds": round(seconds, 3),
                "attempts_per_second": round(attempts / seconds, 1)}

    results = {"threads": threads, "per_thread": per_thread, "points_each": each}
    hot = account("bench-hot", start_points)
    results["hot"] = timed("hot", [hot] * threads, locked)
    results["hot"]["final_available"] = Account.objects.get(user=hot).available
    spread = [account(f"bench-spread-{i}", per_thread * each) for i in range(threads)]
    results["spread"] = timed("spread", spread, locked)
    naive_user = account("bench-naive", start_points)
    results["naive_hot"] = timed("naive", [naive_user] * threads, naive)
    derived = Entry.objects.filter(account__user=naive_user).aggregate(s=Sum("available_delta"))["s"]
    results["naive_hot"]["final_available_from_entries"] = derived
    results["hot"]["overdrawn"] = results["hot"]["final_available"] < 0
    results["naive_hot"]["overdrawn"] = derived < 0
    path = write_results("rewards_redeem", results)
    for name in ("hot", "spread", "naive_hot"):
        r = results[name]
        print(f"{name:10s} {r['attempts_per_second']:8.1f} attempts/s  granted {r['granted']}/{r['attempts']}"
              + (f"  overdrawn={r['overdrawn']}" if "overdrawn" in r else ""))
    print(f"written to {path}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16, int(sys.argv[2]) if len(sys.argv) > 2 else 25)
