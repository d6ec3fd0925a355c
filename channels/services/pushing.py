"""Availability, rates and restrictions pushed out to every channel after each change.

``inventory.changed`` → ``changes_record`` (on the ``channels.push`` worker): one ``PendingChange``
row per listing × room type × night (however many changes), then a flush of each listing is
queued at once for the bulk channels: a quiet listing's change goes out without waiting (leading
edge), and the changes that come while a push of that listing is in flight go together in its next
push (trailing), so a burst of bookings is a few calls, not one each. (``CHANNEL_PUSH_COALESCE_MS``
can make the first wait a window too.) The single-date channel (Agoda-like) gets a batch: the
``channels.flush_batched`` beat ticks every ``CHANNEL_PUSH_BATCH_TICK_SECONDS`` and sends a
listing's batch once waiting longer would show its oldest change later than
``CHANNEL_PUSH_BATCH_SECONDS``, except that a close-out (nothing left) is flushed at once.

A flush takes the listing's pending rows and makes them one ``PushStep`` (a step of the listing's
sync saga), sent with what inventory says *now* (never a stale value). A step that fails is tried
again after ``CHANNEL_PUSH_RETRY_DELAYS`` (5, 15, 45 s); after the last it gives up and marks the
dates **dirty**. Items a channel refuses (partial success) are retried alone. A successful push
clears the dirty marks it covers; reconciliation repairs whatever is left.
"""
import logging
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from channels import limiter
from channels.adapters import adapter_for
from channels.adapters.base import ChannelError, PushResult
from channels.availability import listing_updates
from channels.models import Channel, DirtyMark, Listing, PendingChange, PushStep
from core import metrics
from core.outbox import enqueue_after_commit
from inventory.models import RoomNight

logger = logging.getLogger(__name__)
FLUSH_TASK = "channels.flush"
SEND_TASK = "channels.push_step"
# Pushes wait on the network and on rate-limit slots, so they run on a queue (and worker) of their
# own, never in front of a reservation's quick steps on ``channels``. The single-date channel's
# batch too: with its calls in parallel it is a push of a few seconds, and on ``channels.batch``
# it would wait behind reconciliations and pulls and miss its time.
PUSH_QUEUE = "channels.push"
GATE_TIMEOUT_S = 10  # a flush lost on its way is re-scheduled by the next change or the batch beat
BATCH_SEND_ALLOWANCE_S = 5.0  # the batch beat's tick, the queue and a round trip on a busy machine (plus its calls' slots)
PUSH_LOCK_S = 120  # longer than any push (a lock left by a killed worker frees itself)
BUSY_RETRY_S = 0.1  # a repair or resync waiting for the listing's push in flight looks this often
BUSY_AGAIN_S = 1.0  # a retry step that found the listing busy is queued again this much later
TURN_WAIT_S = 60  # how long a repair or resync waits for the listing's push in flight
S = PushStep.Status


# --- changes in -------------------------------------------------------------------------------

def changes_record(*, property_id: int, room_type_id: int, dates: list[date], prices: bool = False) -> int:
    """Note what changed for every listing that sells this room type; schedule their flushes."""
    listings = list(Listing.objects.filter(property_id=property_id, is_active=True, channel__is_active=True,
                                           room_mappings__room_type_id=room_type_id)
                    .select_related("channel").distinct())
    closes_out = RoomNight.objects.filter(room_type_id=room_type_id, date__in=dates, available=0).exists()
    with transaction.atomic():
        for listing in listings:
            rows = [PendingChange(listing=listing, room_type_id=room_type_id, date=d, prices=prices) for d in dates]
            if prices:
                PendingChange.objects.bulk_create(rows, update_conflicts=True, update_fields=["prices"],
                                                  unique_fields=["listing", "room_type", "date"])
            else:
                PendingChange.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(lambda: _schedule_flushes(listings, closes_out=closes_out), robust=True)
    return len(listings)


def _schedule_flushes(listings: list[Listing], *, closes_out: bool) -> None:
    """After commit: one flush on its way per listing (the gate), at once (bulk channels, unless a
    coalescing window is set; the single-date channel only for a close-out). The rows written are
    the durable record: a flush that cannot be queued here is caught by the batch beat's tick
    (``listings_due``), like a message the outbox sweeps, so it goes to the broker directly."""
    for listing in listings:
        batched = listing.channel.push_mode == Channel.PushMode.SINGLE_DATE and settings.CHANNEL_PUSH_BATCHED_BY_BEAT
        if batched and not closes_out:
            continue  # the batch beat takes it
        if not cache.add(_gate(listing.pk), 1, timeout=GATE_TIMEOUT_S):
            continue  # a flush of this listing is on its way and will take this change too
        window = 0 if batched else settings.CHANNEL_PUSH_COALESCE_MS / 1000
        try:
            # atomic: in the embedded mode the flush runs right here, and what it queues after
            # commit (a retry) must wait until it has let go of the listing
            with transaction.atomic():
                current_app.tasks[FLUSH_TASK].apply_async(kwargs={"listing_id": listing.pk},
                                                          queue=PUSH_QUEUE, countdown=window or None)
        except Exception as exc:  # the broker is down: the beat's tick flushes it once it is back
            cache.delete(_gate(listing.pk))
            logger.warning("flush of listing %s not queued: %r", listing.pk, exc)


def _gate(listing_id: int) -> str:
    return f"channels:flush-scheduled:{listing_id}"


@contextmanager
def _one_push_at_a_time(listing_id: int):
    """At most one push per listing in flight (every process: the cache), so that an older push
    can never land after a newer one and leave the channel showing the older values. Yields
    False when another push holds the listing."""
    key, token = f"channels:pushing:{listing_id}", uuid.uuid4().hex
    held = cache.add(key, token, timeout=PUSH_LOCK_S)
    try:
        yield held
    finally:
        if held and cache.get(key) == token:
            cache.delete(key)


# --- flushing ---------------------------------------------------------------------------------

def listing_flush(*, listing_id: int) -> PushStep | None:
    """Send the listing's pending changes as push steps until none is left; the last step, or None.

    A quiet listing's change goes at once. Only one flush per listing pushes at a time: a flush
    that finds the listing busy simply ends; the one pushing looks for pending changes again after
    it lets go of the listing, and the changes that came meanwhile go together in its next step
    (no task churns waiting)."""
    last = None
    cache.delete(_gate(listing_id))  # a change committed from now on schedules a flush of its own
    while True:
        with _one_push_at_a_time(listing_id) as free:
            if not free:
                return last
            step = _take_pending(listing_id)
            if step is not None:
                last = _send(step.pk)
        # let go first, then look: a change whose flush found us busy is seen here
        if not PendingChange.objects.filter(listing_id=listing_id).exists():
            return last


def _take_pending(listing_id: int) -> PushStep | None:
    with transaction.atomic():
        rows = list(PendingChange.objects.select_for_update(skip_locked=True).filter(listing_id=listing_id))
        if not rows:
            return None
        PendingChange.objects.filter(pk__in=[r.pk for r in rows]).delete()
        return PushStep.objects.create(
            listing_id=listing_id, kind=PushStep.Kind.CHANGE, dates=_dates_json(rows),
            prices=any(r.prices for r in rows), changed_at=min(r.created_at for r in rows),
        )


def _again(task: str, kwargs: dict, *, listing_id: int) -> None:
    enqueue_after_commit(task=task, kwargs=kwargs, key=f"listing:{listing_id}", countdown=BUSY_AGAIN_S,
                         queue=PUSH_QUEUE)


def listings_due() -> list[int]:
    """Listings whose waiting changes are due. A single-date channel's batch once its oldest change
    is so old that sending it now still shows it within ``CHANNEL_PUSH_BATCH_SECONDS``: the batch
    time less the allowance for the tick, the queue and a round trip, and less the time the calls
    waiting for that channel take at its rate limit — every listing's of the channel, not only its
    own, since they all share the channel's one limit (one call per waiting night). Any other
    listing whose flush was lost on its way (a straggler) once its gate has run out."""
    now = timezone.now()
    rows = list(PendingChange.objects.values("listing_id", "listing__channel__code", "listing__channel__push_mode")
                .annotate(oldest=Min("created_at"), nights=Count("id")))
    nights_waiting = defaultdict(int)  # per channel
    for row in rows:
        nights_waiting[row["listing__channel__code"]] += row["nights"]
    due = []
    for row in rows:
        code = row["listing__channel__code"]
        if row["listing__channel__push_mode"] == Channel.PushMode.SINGLE_DATE:
            limit = settings.CHANNEL_RATE_LIMITS.get(code) or 0
            sending = BATCH_SEND_ALLOWANCE_S + (nights_waiting[code] * limiter.SPACING / limit if limit else 0)
            wait = settings.CHANNEL_PUSH_BATCH_SECONDS - sending
        else:
            wait = GATE_TIMEOUT_S
        if row["oldest"] <= now - timedelta(seconds=max(0.0, wait)):
            due.append(row["listing_id"])
    return sorted(due)


def push_dates(*, listing: Listing, dates: dict[int, list[date]], kind: str, prices: bool = True) -> PushStep:
    """Push these dates now (a reconciliation repair or a full resync) as one step of the saga."""
    step = PushStep.objects.create(listing=listing, kind=kind, dates=_as_json(dates), prices=prices,
                                   changed_at=timezone.now())
    deadline = time.monotonic() + TURN_WAIT_S
    while time.monotonic() < deadline:  # the caller waits for the answer: wait for our turn
        with _one_push_at_a_time(listing.pk) as free:
            if free:
                return _send(step.pk)
        time.sleep(BUSY_RETRY_S)
    return step_send(step_id=step.pk)  # still busy: queued behind the push in flight


# --- one step ---------------------------------------------------------------------------------

def step_send(*, step_id: int) -> PushStep:
    """Send a step (a retry, a repair, a resync) once no other push of its listing is in flight."""
    step = PushStep.objects.select_related("listing__channel").get(pk=step_id)
    with _one_push_at_a_time(step.listing_id) as free:
        if not free:
            _again(SEND_TASK, {"step_id": step_id}, listing_id=step.listing_id)
            return step
        return _send(step_id)


def _send(step_id: int) -> PushStep:
    """Send a step with inventory's current values; record the outcome; retry or mark dirty."""
    step = PushStep.objects.select_related("listing__channel").get(pk=step_id)
    if step.status in (S.SENT, S.PARTIAL, S.GAVE_UP):
        return step  # a redelivered task: sent already
    listing = step.listing
    dates = _dates_from_json(step.dates)
    updates = listing_updates(listing=listing, dates=dates, prices=step.prices)
    step.attempts += 1
    try:
        result = adapter_for(listing.channel.code).push(hotel_code=listing.hotel_code, updates=updates) \
            if updates else PushResult(calls=0)
    except ChannelError as exc:
        return _failed(step, error=exc.message, retryable=exc.retryable, retry_after=exc.retry_after)
    return _sent(step, dates=dates, result=result, sent=len(updates))


def _sent(step: PushStep, *, dates: dict[int, list[date]], result: PushResult, sent: int) -> PushStep:
    refused_dates = _refused_dates(step.listing, result)
    now = timezone.now()
    with transaction.atomic():
        step.status = S.PARTIAL if result.refused else S.SENT
        step.calls, step.updates, step.finished_at = step.calls + result.calls, sent, now
        step.latency_ms = int((now - step.changed_at).total_seconds() * 1000)
        metrics.channel_push_succeeded(channel=step.listing.channel.code, seconds=step.latency_ms / 1000)
        step.refused = [{"room_code": r.update.room_code, "rate_code": r.update.rate_code,
                         "start": r.update.start.isoformat(), "end": r.update.end.isoformat(),
                         "code": r.code, "message": r.message} for r in result.refused]
        step.error = ""
        step.save()
        _clear_dirty(step.listing, dates=dates, except_dates=refused_dates)
        if refused_dates:
            _retry_refused(step, refused_dates)
    return step


def _failed(step: PushStep, *, error: str, retryable: bool, retry_after: float | None) -> PushStep:
    delays = settings.CHANNEL_PUSH_RETRY_DELAYS
    with transaction.atomic():
        step.error = error[:300]
        if retryable and step.attempts <= len(delays):
            step.status = S.RETRYING
            step.save(update_fields=["status", "error", "attempts"])
            countdown = max(delays[step.attempts - 1], retry_after or 0)
            enqueue_after_commit(task=SEND_TASK, kwargs={"step_id": step.pk}, key=f"step:{step.pk}",
                                 countdown=countdown, queue=PUSH_QUEUE)
            return step
        step.status, step.finished_at = S.GAVE_UP, timezone.now()
        step.save(update_fields=["status", "error", "attempts", "finished_at"])
        _mark_dirty(step.listing, dates=_dates_from_json(step.dates), reason=f"Push gave up: {error}")
    return step


def _retry_refused(step: PushStep, refused: dict[int, list[date]]) -> None:
    """Only the refused items go again, as a step of their own (with the saga's delays)."""
    if step.attempts > len(settings.CHANNEL_PUSH_RETRY_DELAYS):
        _mark_dirty(step.listing, dates=refused, reason="The channel kept refusing these items.")
        return
    retry = PushStep.objects.create(listing=step.listing, kind=PushStep.Kind.RETRY, dates=_as_json(refused),
                                    prices=step.prices, changed_at=step.changed_at, attempts=step.attempts,
                                    status=S.RETRYING)
    enqueue_after_commit(task=SEND_TASK, kwargs={"step_id": retry.pk}, key=f"step:{retry.pk}",
                         countdown=settings.CHANNEL_PUSH_RETRY_DELAYS[step.attempts - 1],
                         queue=PUSH_QUEUE)


# --- dirty marks ------------------------------------------------------------------------------

def _mark_dirty(listing: Listing, *, dates: dict[int, list[date]], reason: str) -> None:
    for room_type_id, days in dates.items():
        for start, end in _runs(days):
            DirtyMark.objects.create(listing=listing, room_type_id=room_type_id, start=start, end=end,
                                     reason=reason[:300])


def _clear_dirty(listing: Listing, *, dates: dict[int, list[date]], except_dates: dict[int, list[date]]) -> None:
    """A mark is cleared when this push covered every one of its dates."""
    for room_type_id, days in dates.items():
        covered = set(days) - set(except_dates.get(room_type_id, []))
        for mark in DirtyMark.objects.filter(listing=listing, room_type_id=room_type_id, cleared_at__isnull=True):
            span = {mark.start + timedelta(days=i) for i in range((mark.end - mark.start).days + 1)}
            if span <= covered:
                mark.cleared_at = timezone.now()
                mark.save(update_fields=["cleared_at"])


# --- helpers ----------------------------------------------------------------------------------

def _refused_dates(listing: Listing, result: PushResult) -> dict[int, list[date]]:
    room_types = dict(listing.room_mappings.values_list("room_code", "room_type_id"))
    refused: dict[int, set[date]] = defaultdict(set)
    for refusal in result.refused:
        room_type_id = room_types.get(refusal.update.room_code)
        if room_type_id is not None:
            update = refusal.update
            refused[room_type_id] |= {update.start + timedelta(days=i) for i in range((update.end - update.start).days + 1)}
    return {k: sorted(v) for k, v in refused.items()}


def _runs(days: list[date]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _dates_json(rows: list[PendingChange]) -> dict[str, list[str]]:
    dates: dict[int, list[date]] = defaultdict(list)
    for row in rows:
        dates[row.room_type_id].append(row.date)
    return _as_json(dates)


def _as_json(dates: dict[int, list[date]]) -> dict[str, list[str]]:
    return {str(k): [d.isoformat() for d in sorted(set(v))] for k, v in dates.items()}


def _dates_from_json(data: dict[str, list[str]]) -> dict[int, list[date]]:
    return {int(k): [date.fromisoformat(d) for d in v] for k, v in data.items()}

