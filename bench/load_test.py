"""Load test: a realistic mix against the multi-process stack of the Procfile, with locust.

    .venv/bin/python -m bench.load_test [--users 30] [--seconds 60]   (PostgreSQL, Redis, RabbitMQ up)

What runs, all on loopback, each a process of its own:
- a fresh run of the shared services (scripts/fresh-stack.sh: a new database, vhost and Redis
  database, dropped at the end unless ``--keep``), migrated and seeded with the demo data;
- every line of the Procfile: the four sandboxes (supplier, crypto processor, rates, OTA), gunicorn
  (3 sync workers), the Celery worker, the channel push and batch workers, the four inventory
  shard consumers and beat (polled channels pulled every 10 s here), on free ports;
- locust, headless (bench/load_locustfile.py), ``--users`` users for ``--seconds``: three in four
  anonymous visitors browsing home, destination and hotel pages, searching and opening hotel
  pages with dates; one in four signed-in travellers locking a price, booking and paying; one
  channel desk sending reservations through the sandbox OTA's controls (which reach the site by
  webhook or by the next pull); with ``--pay-via wallet``, one chain mining a block a second.

How travellers pay (``--pay-via``): ``wallet`` (the default) is what a traveller does in
production: open the payment page, pay from a wallet to the invoice's address at the processor
(the site takes no part in that call), then keep the page open while its script polls
status.json every 5 s until it says Paid; the site learns of the payment from the processor's
webhooks (sent after the processor answered, as BTCPay does) or from its own poll. ``form``
posts the site's sandbox-only payment form instead (``/pay/<ref>/simulate/``: a site worker calls
the processor's pay and mine controls and syncs the invoice), a request production never serves.

Printed and written to bench/results/load_test.json with the machine and its load: throughput
and latency percentiles per kind of request, errors; the process CPU of each Procfile line over
the run and per request to the site (less noisy than latency on a shared machine); the seconds from a wallet's payment to the
page saying Paid; the processor's webhooks (sent, answered 200); after the chain has mined the
last payments' confirmations and the workers drain, the checks that matter: no night oversold
(available below 0 or more rooms held than it has, from the inventory rows against the holds), no
booking lost (every placement answered with a reference exists, every paid one is confirmed), no
channel reservation lost (each one made at the OTA is recorded here). Exits 1 when a check fails.
A run takes about 2-3 minutes.
"""
import argparse
import csv
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import write_results  # noqa: E402
from bench.processes import Processes, free_port, wait_http  # noqa: E402

RUN_NAME = "load_test"
SANDBOX_URLS = {"suppliers": "SUPPLIER_API_URL", "payments-sandbox": "PAYMENT_API_URL",
                "rates-sandbox": "RATES_API_URL", "ota-sandbox": "OTA_API_URL"}
WEBHOOK_CHANNELS = ("booking_com", "expedia", "agoda")
TRAVELLERS = 60
PERCENTILES = ("50%", "95%", "99%")


# --- the stack: a fresh run of the services and the Procfile's processes ------------------------

def fresh_services() -> dict[str, str]:
    out = subprocess.run(["bash", "scripts/fresh-stack.sh", "create", RUN_NAME], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return dict(re.findall(r"^export (\w+)=(.*)$", out, flags=re.M))


def drop_services(services: dict[str, str]) -> None:
    subprocess.run(["bash", "scripts/fresh-stack.sh", "drop", RUN_NAME, services["FRESH_STACK_REDIS_DB"]],
                   cwd=ROOT, check=False, capture_output=True)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def procfile_argv(command: str, port: int) -> list[str]:
    """A Procfile command with this run's port, the venv's executables and quieter logs."""
    command = command.replace("${PORT:-8000}", str(port)).replace("--access-logfile -", "")
    command = re.sub(r"--port \d+", f"--port {port}", command).replace("-l info", "-l warning")
    argv = shlex.split(command)
    argv[0] = str(Path(sys.executable).parent / Path(argv[0]).name)
    return argv


def start_sandboxes(processes: Processes, lines: dict[str, str], named: dict) -> dict[str, str]:
    urls = {}
    for name, variable in SANDBOX_URLS.items():
        port = free_port()
        named[name] = processes.start(name, procfile_argv(lines[name], port))
        urls[variable] = f"http://127.0.0.1:{port}"
    for url in urls.values():
        wait_http(f"{url}/_sandbox/stats", 30, below=500)
    return urls


def start_site_and_workers(processes: Processes, lines: dict[str, str], port: int, named: dict) -> None:
    from travel.celery import app

    for name, command in lines.items():
        if name not in SANDBOX_URLS:
            named[name] = processes.start(name, procfile_argv(command, port))
    wait_http(f"http://127.0.0.1:{port}/healthz", 90, below=500)
    workers = sum(1 for name, command in lines.items() if " worker " in command)
    deadline = time.monotonic() + 90
    while len(app.control.ping(timeout=1)) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not all start; see {processes.logs}")


def cpu_seconds(named: dict[str, subprocess.Popen]) -> dict[str, float]:
    """Process CPU (user + system) each Procfile line has used so far, its child processes included
    (gunicorn's workers, Celery's pool)."""
    import psutil

    used = {}
    for name, popen in named.items():
        try:
            root = psutil.Process(popen.pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        used[name] = 0.0
        for process in tree:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used[name] += times.user + times.system + times.children_user + times.children_system
    return used


def cpu_per_request(before: dict[str, float], after: dict[str, float], stats: dict) -> dict:
    """The stack's CPU over the run (locust, the chain's last blocks, the drain): per line, and the
    web's and the whole stack's per request to the site (every kind but the OTA desk's)."""
    spent = {name: round(after[name] - before[name], 2) for name in after if name in before}
    site = sum(kind["requests"] for name, kind in stats["kinds"].items()
               if name != "Aggregated" and not name.endswith("(OTA)"))
    return {"site_requests": site, "by_line_s": spent,
            "web_ms_per_site_request": round(spent.get("web", 0) / max(site, 1) * 1000, 2),
            "stack_ms_per_site_request": round(sum(spent.values()) / max(site, 1) * 1000, 2)}


# --- the world the travellers see ---------------------------------------------------------------

def session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def world(ota_url: str, payments_url: str, pay_via: str) -> dict:
    """What locust needs: signed-in sessions, pages, bookable rooms and the channels' codes."""
    import uuid

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from catalogue.models import Destination, Property, RoomType
    from channels.models import Listing

    User = get_user_model()
    sessions = []
    for n in range(TRAVELLERS):
        user, _ = User.objects.get_or_create(username=f"load-traveller-{n}", defaults={"email": f"load{n}@example.com"})
        sessions.append({"sessionid": session_for(user), "csrftoken": uuid.uuid4().hex})
    rooms = [{"room_type": rt.pk, "rate_plan": rt.property.rate_plans.order_by("pk").first().pk}
             for rt in RoomType.objects.select_related("property").order_by("pk")
             if rt.property.rate_plans.exists()]
    listings = []
    for listing in Listing.objects.select_related("channel").prefetch_related("room_mappings", "rate_mappings"):
        rate = listing.rate_mappings.first()
        listings += [{"channel": listing.channel.code, "hotel_code": listing.hotel_code,
                      "room_code": room.room_code, "rate_code": rate.rate_code}
                     for room in listing.room_mappings.all() if rate]
    return {
        "today": timezone.localdate().isoformat(), "days_ahead": [7, 30], "pay_share": 0.7,
        "pay_via": pay_via, "payments_url": payments_url,
        "sessions": sessions, "rooms": rooms, "listings": listings, "ota_url": ota_url, "coins": ["BTC", "USDT-TRC20"],
        "hotels": list(Property.objects.values_list("slug", flat=True)),
        "destinations": list(Destination.objects.values_list("slug", flat=True)),
        "destination_names": list(Destination.objects.values_list("name", flat=True)),
    }


def webhooks_to_site(ota_url: str, site: str) -> None:
    from django.conf import settings

    for code in WEBHOOK_CHANNELS:
        httpx.post(f"{ota_url}/_sandbox/webhooks", timeout=5, json={
            "channel": code, "url": f"{site}/channels/webhooks/{code}/",
            "secret": settings.CHANNEL_APIS[code]["webhook_secret"]}).raise_for_status()


# --- locust -------------------------------------------------------------------------------------

def run_locust(site: str, args, data_path: Path, outcome_path: Path, env: dict[str, str]) -> Path:
    prefix = data_path.parent / "locust"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load_locustfile.py"), "--headless",
         "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--host", site,
         "--csv", str(prefix), "--only-summary", "--stop-timeout", "20", "--loglevel", "WARNING"],
        cwd=ROOT, env={**env, "LOAD_TEST_DATA": str(data_path), "LOAD_TEST_OUTCOME": str(outcome_path)},
        stdout=open(data_path.parent / "locust.log", "w"), stderr=subprocess.STDOUT,  # noqa: SIM115
        check=False, timeout=args.seconds + 120)
    return prefix


def request_stats(prefix: Path, seconds: float) -> dict:
    kinds = {}
    with open(f"{prefix}_stats.csv") as stats:
        for row in csv.DictReader(stats):
            count = int(row["Request Count"])
            kinds[row["Name"]] = {
                "requests": count, "failures": int(row["Failure Count"]),
                "throughput_per_s": round(float(row["Requests/s"]), 2),
                **{f"p{p.rstrip('%')}_ms": _number(row[p]) for p in PERCENTILES},
                "max_ms": _number(row["Max Response Time"]),
            }
    errors = {}
    with open(f"{prefix}_failures.csv") as failures:
        for row in csv.DictReader(failures):
            errors[f"{row['Name']}: {row['Error']}"] = int(row["Occurrences"])
    return {"kinds": kinds, "errors": errors}


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else round(float(value), 1)


# --- after the run: the chain and the processor's webhooks, drain, then the checks ----------------

def last_blocks(payments_url: str, coins: list[str]) -> int:
    """The chain goes on after the travellers stop: enough blocks to confirm the last payments."""
    from django.db.models import Max

    from bookings.payments.models import Coin

    blocks = Coin.objects.filter(code__in=coins).aggregate(most=Max("confirmations_required"))["most"] or 1
    httpx.post(f"{payments_url}/_sandbox/mine", json={"blocks": blocks}, timeout=30).raise_for_status()
    return blocks


def processor_webhooks(payments_url: str, seconds: float) -> dict:
    """What the processor sent to the site, once its sender has nothing left to send."""
    answer = httpx.get(f"{payments_url}/_sandbox/deliveries", params={"wait": seconds}, timeout=seconds + 10)
    if answer.status_code != 200:
        return {"still_pending_after_s": seconds, **answer.json()}
    sent = [d for d in answer.json() if d["url"]]
    statuses = [d["status"] for d in sent]
    return {"sent": len(sent), "answered_200": statuses.count(200),
            "failed": [f"{d['type']}: {d['status'] or d['error']}" for d in sent if d["status"] != 200][:10]}


def percentiles(values: list[float], unit: str = "s") -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"n": len(ordered), f"p50_{unit}": at(0.5), f"p95_{unit}": at(0.95), f"max_{unit}": ordered[-1]}


def queue_depth() -> int:
    from django.conf import settings

    from travel.celery import app

    depth = 0
    for queue in (*settings.TASK_QUEUES, *settings.INVENTORY_SHARD_QUEUES):
        with app.connection_for_write() as conn:  # a connection each: a missing queue closes the channel
            try:
                depth += conn.default_channel.queue_declare(queue=queue, passive=True).message_count
            except conn.channel_errors:
                pass
    return depth


def unsettled(outcome: dict) -> dict:
    from bookings.models import Booking
    from channels.models import ChannelBooking

    paid = set(outcome["paid"])
    not_confirmed = sorted(Booking.objects.filter(reference__in=paid).exclude(
        status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED]).values_list("reference", flat=True))
    recorded = set(ChannelBooking.objects.values_list("channel__code", "reservation_id"))
    unrecorded = [r for r in map(tuple, outcome["channel_reservations"]) if r not in recorded]
    return {"paid_not_confirmed": not_confirmed, "channel_reservations_not_recorded": unrecorded}


def drain(outcome: dict, seconds: float) -> float:
    """Wait until the queues are empty and what was paid or reserved has landed (bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        left = unsettled(outcome)
        if not queue_depth() and not any(left.values()):
            break
        time.sleep(1)
    return round(time.monotonic() - started, 1)


def checks(outcome: dict) -> dict:
    from django.db.models import F, Q, Sum
    from django.db.models.functions import Coalesce

    from bookings.models import Booking
    from inventory.models import Hold, RoomNight

    nights = RoomNight.objects.annotate(held=Coalesce(
        Sum("hold_nights__rooms", filter=Q(hold_nights__hold__status=Hold.Status.HELD)), 0))
    oversold = nights.filter(Q(available__lt=0) | Q(held__gt=F("total")))
    out_of_step = nights.exclude(held=F("total") - F("available"))
    placed = set(outcome["placed"])
    found = set(Booking.objects.filter(reference__in=placed).values_list("reference", flat=True))
    paid_status = dict(Booking.objects.filter(reference__in=set(outcome["paid"])).values_list("reference", "status"))
    left = unsettled(outcome)
    return {
        "oversold_nights": oversold.count(),
        "nights_whose_holds_differ_from_total_minus_available": out_of_step.count(),
        "bookings_placed": len(placed), "bookings_lost": len(placed - found),
        "bookings_paid": len(outcome["paid"]),
        "payments_not_taken_by_the_processor": len(outcome["payment_not_taken"]),
        "paid_by_status": {s: list(paid_status.values()).count(s) for s in set(paid_status.values())},
        "paid_not_confirmed": len(left["paid_not_confirmed"]),
        "channel_reservations_made": len(outcome["channel_reservations"]),
        "channel_reservations_lost": len(left["channel_reservations_not_recorded"]),
        "lock_or_placement_refused": outcome["refused"], "throttled": outcome["throttled"],
        "wallet_payment_to_page_paid": percentiles(outcome["seconds_to_paid"]),
        "page_left_before_paid": outcome["not_paid_on_page"],
        "processor_calls": {kind: {**percentiles(calls["ms"], unit="ms"), "failures": len(calls["failures"]),
                                   "errors": calls["failures"][:5]}
                            for kind, calls in outcome["processor"].items()},
    }


def passed(result: dict, stats: dict) -> bool:
    """Nothing oversold or lost, no request failed (to the site, the OTA or the processor), and the mix
    really booked and paid (a run where every placement is refused proves nothing about bookings)."""
    failed = sum(kind["failures"] for kind in stats["kinds"].values())
    failed += sum(calls["failures"] for calls in result["processor_calls"].values())
    return not (result["oversold_nights"] or result["bookings_lost"] or result["paid_not_confirmed"]
                or result["channel_reservations_lost"] or failed) and result["bookings_paid"] > 0


# --- the run ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=30, help="concurrent users (at most 60 of them signed in)")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60, help="how long locust runs")
    parser.add_argument("--drain-seconds", type=int, default=60)
    parser.add_argument("--pay-via", choices=("wallet", "form"), default="wallet",
                        help="wallet: at the processor, as in production (default); form: the site's sandbox form")
    parser.add_argument("--keep", action="store_true", help="keep the database, vhost and Redis db afterwards")
    args = parser.parse_args()

    uptime_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    services = fresh_services()
    lines = procfile()
    site_port = free_port()
    site = f"http://127.0.0.1:{site_port}"
    env = {**os.environ, **services, "SITE_URL": site, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "PAYMENT_SANDBOX_CONTROLS": "1", "CHANNEL_SANDBOX_CONTROLS": "1", "CHANNEL_POLL_SECONDS": "10",
           "LOG_LEVEL": "WARNING", "OTA_WEBHOOK_URL_BASE": f"{site}/channels/webhooks",
           # A simulated traveller books far more often than a person, every one from 127.0.0.1:
           # the per-client throttles and per-traveller holding caps (docs/security.md) are off here.
           "THROTTLE_API_RATE": "", "THROTTLE_PRICE_LOCK_RATE": "", "THROTTLE_PLACEMENT_RATE": "",
           "BOOKINGS_MAX_PENDING": "0", "BOOKINGS_MAX_PENDING_ROOM_NIGHTS": "0", "BOOKINGS_MAX_LIVE_LOCKS": "0"}
    processes = Processes(env, prefix="load_test_")
    started = time.monotonic()
    try:
        named: dict[str, subprocess.Popen] = {}
        env.update(start_sandboxes(processes, lines, named))
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        import django

        django.setup()
        work = Path(processes.logs)
        data_path, outcome_path = work / "data.json", work / "outcome.json"
        data = world(env["OTA_API_URL"], env["PAYMENT_API_URL"], args.pay_via)
        data_path.write_text(json.dumps(data))
        start_site_and_workers(processes, lines, site_port, named)
        webhooks_to_site(env["OTA_API_URL"], site)
        print(f"stack up in {time.monotonic() - started:.0f} s ({len(processes.started)} processes; logs {work}); "
              f"locust: {args.users} users for {args.seconds} s", flush=True)
        cpu_before = cpu_seconds(named)
        prefix = run_locust(site, args, data_path, outcome_path, env)
        outcome = json.loads(outcome_path.read_text())
        blocks = last_blocks(env["PAYMENT_API_URL"], data["coins"]) if args.pay_via == "wallet" else 0
        webhooks = processor_webhooks(env["PAYMENT_API_URL"], args.drain_seconds)
        drained_in = drain(outcome, args.drain_seconds)
        cpu_after = cpu_seconds(named)
        result = checks(outcome)
        stats = request_stats(prefix, args.seconds)
        cpu = cpu_per_request(cpu_before, cpu_after, stats)
    finally:
        processes.stop()
        if not args.keep:
            drop_services(services)

    document = {
        "question": "throughput, latency and errors of a realistic mix on the Procfile's multi-process stack, "
                    "with zero oversold nights and zero lost bookings or channel reservations",
        "setup": {"users": args.users, "seconds": args.seconds, "stack": sorted(lines), "web": "gunicorn sync x3",
                  "channel_poll_seconds": 10, "pay_via": args.pay_via, "blocks_mined_after_the_run": blocks,
                  "uptime_before": uptime_before,
                  "uptime_after": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()},
        "requests": stats["kinds"], "errors": stats["errors"], "cpu": cpu, "processor_webhooks": webhooks,
        "drained_in_s": drained_in, "checks": result,
        "passed": passed(result, stats),
    }
    path = write_results(RUN_NAME, document)
    print(f"{'request':28} {'n':>6} {'fail':>5} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for name, r in stats["kinds"].items():
        print(f"{name:28} {r['requests']:6} {r['failures']:5} {r['throughput_per_s']:7} {r['p50_ms']!s:>7} "
              f"{r['p95_ms']!s:>7} {r['p99_ms']!s:>7} {r['max_ms']!s:>7}")
    for error, count in stats["errors"].items():
        print(f"    {count} × {error}")
    print(f"CPU over the run: web {cpu['web_ms_per_site_request']} ms, whole stack {cpu['stack_ms_per_site_request']} ms "
          f"per site request ({cpu['site_requests']}); by line (s): {cpu['by_line_s']}")
    print(json.dumps({"processor_webhooks": webhooks, **result}, indent=2))
    print(f"drained in {drained_in} s; {'PASSED' if document['passed'] else 'FAILED'}; wrote {path.relative_to(ROOT)}")
    sys.exit(0 if document["passed"] else 1)


if __name__ == "__main__":
    main()
