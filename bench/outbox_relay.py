"""In-process CPU of the outbox relay's hand-over: what one committed outbox row costs the process
whose relay thread hands it to RabbitMQ.

    # with the full-stack variables set (README: DATABASE_URL, REDIS_URL, CELERY_BROKER_URL)
    .venv/bin/python -m bench.outbox_relay [KIND ...] [--n 300] [--rounds 5] [--batches 1,10]
        [--variants direct,apply_async] [--profile KIND --top 30 --sort tottime]

For each kind of row and batch size, a round writes ``--n`` committed rows as the services write
them (``outbox_publish`` / ``enqueue_after_commit``, their after-commit hand-off held back), then
hands them over exactly as the relay thread does: ``outbox_deliver_many`` on ``--batches`` ids at a
time, with the log context each row was committed under. It reports the process CPU
(``time.process_time``, the claim, the publishes and the COMMIT) per row and per published message,
and the part spent publishing (``_hand_over_all``), the median over rounds. The kinds:

- ``inventory.changed``: the event every reservation writes, to its one subscriber task
  (``channels.on_inventory_changed``, routed to the ``channels.push`` queue);
- ``booking.confirmed``: an event fanned out to several subscriber tasks (rewards, bookings, ...);
- ``payments.submit_invoice``: a ``task:`` row for the payments queue (a glob route);
- ``inventory.channel_reserve``: a ``task:`` row with an explicit shard queue (the
  ``inventory.shards`` exchange); its task class has its own ``apply_async``, so the outbox goes
  through it; ``inventory.channel_reserve+direct``: the same with the task declaring
  ``outbox_publish_direct = True`` for the round (``core.outbox.OUTBOX_PUBLISH_DIRECT``);
- ``placement``: the 3 rows a booking placement commits together (``booking.placed``, fanned
  out; ``payments.submit_invoice``; ``inventory.changed``), ``--batches`` counting placements.

``--variants`` compares, rounds interleaved in the same minutes: ``direct`` (the outbox's
publisher) and ``apply_async`` (``Task.apply_async`` per message on the batch's producer, as the
hand-over did before). The queues are purged after each round. ``--profile KIND`` adds a cProfile of the hand-over of that
kind (batches of the largest size), sorted by ``--sort``. Runs against its own database
(``<the DATABASE_URL database>_relay``) and writes ``bench/results/outbox_relay.json``.
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure_environment() -> None:
    from bench.scratch import use_scratch_database

    if not os.environ.get("CELERY_BROKER_URL"):
        sys.exit("The relay benchmark needs PostgreSQL and RabbitMQ: export the full-stack variables first (README).")
    use_scratch_database("relay", needs="The relay benchmark needs PostgreSQL and RabbitMQ")
    os.environ["OUTBOX_RELAY"] = "thread"


_configure_environment()
import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from core import outbox  # noqa: E402
from travel.celery import app  # noqa: E402

LOG_CONTEXT = {"request_id": "bench-relay-0001", "user_id": 42}


def _inventory_changed(i: int) -> dict:
    return {"topic": "inventory.changed", "key": f"7.{i % 40}",
            "payload": {"room_type_id": i % 40, "property_id": 7, "dates": ["2027-03-01", "2027-03-02"],
                        "source": "direct"}}


def _booking_confirmed(i: int) -> dict:
    return {"topic": "booking.confirmed", "key": f"BK{i:08d}",
            "payload": {"reference": f"BK{i:08d}", "user_id": 42, "total": "412.50", "currency": "EUR"}}


def _booking_placed(i: int) -> dict:
    return {"topic": "booking.placed", "key": f"BK{i:08d}",
            "payload": {"reference": f"BK{i:08d}", "user_id": 42, "total": "412.50", "currency": "EUR",
                        "check_in": "2027-03-01", "check_out": "2027-03-03"}}


def _submit_invoice(i: int) -> dict:
    return {"task": "payments.submit_invoice", "kwargs": {"invoice_id": 1000 + i}, "key": str(1000 + i)}


def _channel_reserve(i: int) -> dict:
    return {"task": "inventory.channel_reserve", "kwargs": {"request_id": 5000 + i}, "key": f"ota-{i}",
            "queue": f"inventory.shard.{i % 4}"}


# kind → the rows it writes, in turn: (event or task, the row's arguments for the i-th one)
KINDS = {
    "inventory.changed": [("event", _inventory_changed)],
    "booking.confirmed": [("event", _booking_confirmed)],
    "payments.submit_invoice": [("task", _submit_invoice)],
    "inventory.channel_reserve": [("task", _channel_reserve)],
    "inventory.channel_reserve+direct": [("task", _channel_reserve)],
    # the rows one booking placement commits together (invoice by task): one batch of 3 a placement
    "placement": [("event", _booking_placed), ("task", _submit_invoice), ("event", _inventory_changed)],
}


def _rows_per_unit(kind: str) -> int:
    """Rows that commit together: ``--batches`` counts these units (a placement's 3 rows)."""
    return len(KINDS[kind])


def _messages_per_row(kind: str) -> float:
    return statistics.mean(len(outbox.subscribers_of(make(0)["topic"])) if what == "event" else 1
                           for what, make in KINDS[kind])


def _write(kind: str, n: int) -> list[int]:
    """``n`` committed rows of ``kind``, written by the services' own functions, not yet handed over."""
    recipes = KINDS[kind]
    held_back, outbox._deliver_after_commit = outbox._deliver_after_commit, lambda message_id: None
    try:
        with transaction.atomic():
            ids = []
            for i in range(n):
                what, make = recipes[i % len(recipes)]
                write = outbox.outbox_publish if what == "event" else outbox.enqueue_after_commit
                ids.append(write(**make(i)).pk)
            return ids
    finally:
        outbox._deliver_after_commit = held_back


class _Publishing:
    """The process CPU spent in ``_hand_over_all`` (the publishes of a batch)."""

    def __init__(self):
        self.cpu = 0.0

    def __enter__(self):
        self.original = outbox._hand_over_all

        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - start

        outbox._hand_over_all = timed
        return self

    def __exit__(self, *exc):
        outbox._hand_over_all = self.original


def _by_apply_async(message, publisher, log_context=None) -> None:
    """The hand-over before the direct publisher: ``Task.apply_async`` per message on the batch's
    producer (``--variants apply_async``: the reference, measured in the same run)."""
    from core.logging import LOG_CONTEXT_HEADER

    def headers(context):
        return {LOG_CONTEXT_HEADER: context} if context else None

    producer = publisher.producer
    if message.topic.startswith(outbox.TASK_PREFIX):
        payload = message.payload
        app.tasks[message.topic.removeprefix(outbox.TASK_PREFIX)].apply_async(
            args=payload.get("args") or (), kwargs=payload.get("kwargs") or {},
            headers=headers(payload.get("log_context") or log_context), producer=producer,
            **payload.get("options") or {})
        return
    kwargs = {"message_id": message.pk, "topic": message.topic, "key": message.key, "payload": message.payload}
    shown = f"{{'message_id': {message.pk}, 'topic': {message.topic!r}, 'key': {message.key!r}, 'payload': ...}}"
    for task_name in outbox.subscribers_of(message.topic):
        app.tasks[task_name].apply_async(kwargs=kwargs, headers=headers(log_context), producer=producer,
                                         argsrepr="()", kwargsrepr=shown)


VARIANTS = {"direct": None, "apply_async": _by_apply_async}


def _hand_over(ids: list[int], batch: int) -> int:
    sent = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        sent += outbox.outbox_deliver_many(message_ids=chunk, log_contexts=dict.fromkeys(chunk, LOG_CONTEXT))
    return sent


def _purge() -> None:
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in app.amqp.queues.values():
            try:
                queue.bind(channel).purge()
            except conn.channel_errors:  # not declared (yet): nothing in it
                channel = conn.channel()


def _round(kind: str, batch: int, n: int, variant: str) -> tuple[float, float, float]:
    """(process CPU, of it publishing, wall) per row, in ms."""
    ids = _write(kind, n)
    original = outbox._hand_over
    if VARIANTS[variant] is not None:
        outbox._hand_over = VARIANTS[variant]
    declared = type(app.tasks["inventory.channel_reserve"])
    if kind.endswith("+direct"):
        setattr(declared, outbox.OUTBOX_PUBLISH_DIRECT, True)
    try:
        with _Publishing() as publishing:
            wall, cpu = time.perf_counter(), time.process_time()
            sent = _hand_over(ids, batch * _rows_per_unit(kind))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        outbox._hand_over = original
        if kind.endswith("+direct"):
            delattr(declared, outbox.OUTBOX_PUBLISH_DIRECT)
    assert sent == n, f"{kind}: {sent} of {n} rows handed over"
    _purge()
    return cpu / n * 1000, publishing.cpu / n * 1000, wall / n * 1000


def measure(kind: str, batch: int, args) -> list[dict]:
    """Every variant, their rounds interleaved (the machine's load drifts alike for each)."""
    for variant in args.variants:
        _round(kind, batch, min(args.n, 30), variant)  # warm-up: connections, declarations, caches
    rounds = {variant: [] for variant in args.variants}
    for _ in range(args.rounds):
        for variant in args.variants:
            rounds[variant].append(_round(kind, batch, args.n, variant))
    return [_summary(kind, batch, variant, rounds[variant], args) for variant in args.variants]


def _summary(kind: str, batch: int, variant: str, rounds: list, args) -> dict:
    cpu, publishing, wall = (statistics.median(r[k] for r in rounds) for k in range(3))
    per_row, unit = _messages_per_row(kind), _rows_per_unit(kind)
    load = os.getloadavg()[0]
    print(f"{kind:26} {variant:11} batch {batch * unit:3}: {cpu:.3f} ms CPU/row "
          f"(rounds {', '.join(f'{r[0]:.3f}' for r in rounds)}), publishing {publishing:.3f}, "
          f"{per_row:g} message(s)/row → {cpu / per_row:.3f} ms/message; wall {wall:.3f} ms/row; load {load:.2f}"
          + (f"; {cpu * unit:.3f} ms CPU per {kind}" if unit > 1 else ""))
    return {"kind": kind, "variant": variant, "batch": batch * unit, "rows": args.n, "rounds": args.rounds,
            "messages_per_row": per_row, "rows_per_unit": unit, "cpu_ms_per_unit": round(cpu * unit, 4),
            "cpu_ms_per_row": round(cpu, 4), "publishing_cpu_ms_per_row": round(publishing, 4),
            "cpu_ms_per_message": round(cpu / per_row, 4), "wall_ms_per_row": round(wall, 4),
            "cpu_ms_per_row_rounds": [round(r[0], 4) for r in rounds], "load_average_1m": round(load, 2)}


def profile(kind: str, batch: int, args) -> None:
    """cProfile of the hand-over of the first variant."""
    ids = _write(kind, args.n)
    original, variant = outbox._hand_over, VARIANTS[args.variants[0]]
    outbox._hand_over = variant or original
    profiler = cProfile.Profile(time.process_time)
    try:
        profiler.enable()
        _hand_over(ids, batch * _rows_per_unit(kind))
        profiler.disable()
    finally:
        outbox._hand_over = original
    _purge()
    print(f"\n=== cProfile: {kind}, {args.variants[0]}, {args.n} rows in batches of {batch} (process CPU)")
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", choices=[[], *KINDS], help="default: all")
    parser.add_argument("--n", type=int, default=300, help="rows per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", default="1,10", help="ids per outbox_deliver_many, comma-separated")
    parser.add_argument("--variants", default="direct,apply_async",
                        help="direct: the outbox's publisher; apply_async: Task.apply_async per message (before)")
    parser.add_argument("--profile", choices=list(KINDS), help="cProfile the hand-over of this kind")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, ...")
    parser.add_argument("--label", default="", help="stored with the results (e.g. the commit measured)")
    parser.add_argument("--no-write", action="store_true", help="print only, leave the results file alone")
    args = parser.parse_args()
    from django.core.management import call_command

    from bench.machine import write_results

    call_command("migrate", verbosity=0)
    batches = [int(b) for b in args.batches.split(",")]
    load_before = os.getloadavg()
    args.variants = args.variants.split(",")
    results = [figure for kind in args.kinds or KINDS for batch in batches for figure in measure(kind, batch, args)]
    if args.profile:
        profile(args.profile, max(batches), args)
    if not args.no_write:
        path = write_results("outbox_relay", {
            "label": args.label, "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "figures": results})
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
