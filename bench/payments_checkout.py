"""Crypto checkout costs on the booking's hot path and at the webhook door.

    .venv/bin/python -m bench.payments_checkout   (full-stack variables set, README; or make bench)

1. ``invoice_open`` inside a transaction (what placing a booking pays for its invoice), with and
   without queueing its submission (an outbox row, handed to the broker after commit), against a
   bare one-row insert in a transaction (the floor).
2. Webhook intake (verify the HMAC over the body, store the delivery once), fresh and duplicate,
   against the HMAC check alone (the ceiling).
3. ``crypto_quote`` against the rates sandbox on loopback: uncached vs cached.

Writes bench/results/payments_checkout.json. Rows it creates are deleted at the end.
"""
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.machine import write_results  # noqa: E402
from bookings.payments.models import Invoice, WebhookDelivery  # noqa: E402
from bookings.payments.selectors import crypto_quote  # noqa: E402
from bookings.payments.services import invoice_open  # noqa: E402
from bookings.payments.services.webhooks import signature_for, webhook_receive  # noqa: E402
from core.models import OutboxMessage  # noqa: E402
from sandboxes import rates  # noqa: E402
from sandboxes.server import LoopbackServer  # noqa: E402

N = int(os.environ.get("BENCH_N", "300"))


def timed(fn, n: int) -> dict:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"n": n, "p50_ms": round(statistics.median(samples), 3),
            "p99_ms": round(samples[min(n - 1, int(n * 0.99))], 3), "mean_ms": round(statistics.fmean(samples), 3)}


def bench_invoice_open(run: str) -> dict:
    def open_one(i):
        with transaction.atomic():
            invoice_open(reference=f"BENCH-{run}-{i}", fiat_amount=Decimal("128.00"), fiat_currency="USD",
                         coin_code="BTC", crypto_amount=Decimal("0.002"), rate=Decimal("64000"))

    def bare_insert(i):
        with transaction.atomic():
            OutboxMessage.objects.create(topic="bench.floor", key=f"BENCH-{run}-{i}", payload={"i": i})

    from bookings.payments.services import invoices

    floor = timed(bare_insert, N)
    # with payments.submit_invoice queued through the outbox (a row, and the broker publish after commit)
    ours = timed(open_one, N)
    enqueue = invoices.invoice_enqueue
    invoices.invoice_enqueue = lambda **kwargs: None
    try:
        db_only = timed(lambda i: open_one(N + i), N)
    finally:
        invoices.invoice_enqueue = enqueue
    return {"invoice_open_with_enqueue": ours, "invoice_open_db_only": db_only, "floor_one_row_insert": floor,
            "db_overhead_p50_ms": round(db_only["p50_ms"] - floor["p50_ms"], 3)}


def bench_webhooks(run: str) -> dict:
    bodies = [(b'{"deliveryId": "bench-%s-%d", "type": "InvoiceProcessing", "invoiceId": "X", "timestamp": %d}'
               % (run.encode(), i, int(time.time()))) for i in range(N)]
    signatures = [signature_for(b) for b in bodies]
    import hmac

    ceiling = timed(lambda i: hmac.compare_digest(signature_for(bodies[i]), signatures[i]), N)
    fresh = timed(lambda i: webhook_receive(body=bodies[i], signature=signatures[i]), N)
    duplicate = timed(lambda i: webhook_receive(body=bodies[i], signature=signatures[i]), N)
    return {"verify_and_store": fresh, "duplicate": duplicate, "ceiling_hmac_only": ceiling}


def bench_quotes() -> dict:
    with LoopbackServer(rates.app) as url:
        settings.RATES_API_URL = url
        coins = ["BTC", "ETH", "SOL", "USDT-TRC20", "LTC", "DOGE", "XRP", "ADA", "TRX", "TON"]

        def uncached(i):
            cache.delete(f"payments:rate:{coins[i % len(coins)]}_USD")
            crypto_quote(fiat_amount="250.00", fiat_currency="USD", coin_code=coins[i % len(coins)])

        cold = timed(uncached, min(N, 200))
        warm = timed(lambda i: crypto_quote(fiat_amount="250.00", fiat_currency="USD", coin_code="BTC"), N)
    return {"quote_uncached_http": cold, "quote_cached": warm}


def main() -> None:
    run = str(int(time.time()))
    results = {"database": connection.vendor, "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
    try:
        results["invoice_open"] = bench_invoice_open(run)
        results["webhook_intake"] = bench_webhooks(run)
        results["quotes"] = bench_quotes()
    finally:
        Invoice.objects.filter(reference__startswith=f"BENCH-{run}-").delete()
        OutboxMessage.objects.filter(key__startswith=f"BENCH-{run}-").delete()
        WebhookDelivery.objects.filter(delivery_id__startswith=f"bench-{run}-").delete()
    path = write_results("payments_checkout", results)
    for section, figures in results.items():
        print(section, figures)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
