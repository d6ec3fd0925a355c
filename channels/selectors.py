"""Reads of the channel manager."""
from datetime import timedelta

from django.utils import timezone

from channels.models import Channel, DirtyMark, Listing, PendingChange, PushStep


def webhook_channel(code: str) -> Channel | None:
    return Channel.objects.filter(code=code, is_active=True, inbound_mode=Channel.InboundMode.WEBHOOK).first()


def ota_listing_ids() -> list[int]:
    """Every active listing on an active OTA (the direct channel has nothing to pull or reconcile)."""
    return list(Listing.objects.filter(is_active=True, channel__is_active=True).exclude(channel__code="direct")
                .order_by("pk").values_list("pk", flat=True))


def listing_status(*, listing, window: timedelta = timedelta(hours=1)) -> dict:
    """Staff's view of one listing's sync: last success, p50/p95 push latency and failures over the
    window, open dirty marks, nights waiting to be pushed, the last reconciliation."""
    steps = list(PushStep.objects.filter(listing=listing, finished_at__gte=timezone.now() - window)
                 .values_list("status", "latency_ms", "kind"))
    # latency of pushes caused by changes (a resync or a repair has no change to measure from)
    done = sorted(ms for status, ms, kind in steps
                  if status in ("sent", "partial") and ms is not None and kind in ("change", "retry"))
    last = (PushStep.objects.filter(listing=listing, status__in=["sent", "partial"]).order_by("-finished_at")
            .values_list("finished_at", flat=True).first())
    return {
        "last_success": last,
        "p50_ms": _quantile(done, 0.50), "p95_ms": _quantile(done, 0.95), "pushes": len(done),
        "failures": sum(status == "gave_up" for status, _ms, _kind in steps),
        "dirty": DirtyMark.objects.filter(listing=listing, cleared_at__isnull=True).count(),
        "queued": PendingChange.objects.filter(listing=listing).count(),
        "last_report": listing.reconciliations.order_by("-started_at").first(),
    }


def _quantile(values: list[int], q: float):
    return values[min(len(values) - 1, int(q * len(values)))] if values else None
