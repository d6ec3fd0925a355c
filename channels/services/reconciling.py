"""Reconciliation: every 15 minutes (and on demand) each listing's channel view is read back and
compared with inventory, night by night; whatever differs, and whatever is marked dirty, is
pushed again; reservations since the last cursor are pulled; a report says what drifted where,
what was repaired and what still fails.

Drift a channel makes on its own (rooms it reopened after a cancellation there, a rate it
changed) is found the same way: the channel's view is compared with inventory, not with what we
last sent.
"""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from channels.adapters import adapter_for
from channels.adapters.base import ChannelError, Update
from channels.availability import horizon_dates, listing_updates
from channels.models import DirtyMark, Listing, PushStep, ReconciliationReport
from channels.services.fetching import listing_pull
from channels.services.pushing import push_dates

FIELDS = ("available", "price", "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "stop_sell")
DRIFT_SHOWN = 200  # entries kept in a report (the count is always whole)
R = ReconciliationReport.Outcome


def listing_reconcile(*, listing_id: int) -> ReconciliationReport:
    listing = Listing.objects.select_related("channel", "property__destination").get(pk=listing_id)
    report = ReconciliationReport.objects.create(listing=listing)
    scope = horizon_dates(listing=listing, start=listing.property.local_today())
    drift, failures = _compare(listing, scope)
    to_push = _dates_of(drift)
    for room_type_id, days in _dirty_dates(listing).items():
        to_push[room_type_id] |= set(days) & set(scope.get(room_type_id, []))
    repaired = 0
    if to_push:
        step = push_dates(listing=listing, dates={k: sorted(v) for k, v in to_push.items() if v},
                          kind=PushStep.Kind.RECONCILE)
        if step.status == PushStep.Status.SENT:
            repaired = sum(len(v) for v in to_push.values())
        else:
            failures.append({"what": "repair push", "error": step.error or step.get_status_display(),
                             "refused": step.refused[:20]})
    pulled = _pull(listing, failures)
    return _finish(report, checked=sum(len(v) for v in scope.values()), drift=drift, repaired=repaired,
                   failures=failures, pulled=pulled)


def listing_resync(*, listing_id: int) -> PushStep:
    """Staff's "resync now": the whole horizon of every mapped room, in as few calls as the API allows."""
    listing = Listing.objects.select_related("channel", "property__destination").get(pk=listing_id)
    return push_dates(listing=listing, dates=horizon_dates(listing=listing, start=listing.property.local_today()),
                      kind=PushStep.Kind.RESYNC)


# --- comparing ----------------------------------------------------------------------------------

def _compare(listing: Listing, scope: dict[int, list[date]]) -> tuple[list[dict], list[dict]]:
    """Every (room, rate, date, field) where the channel shows something else than inventory."""
    adapter = adapter_for(listing.channel.code)
    ours = _by_day(listing_updates(listing=listing, dates=scope, prices=True))
    room_codes = dict(listing.room_mappings.values_list("room_type_id", "room_code"))
    drift, failures = [], []
    for room_type_id, days in scope.items():
        room_code = room_codes[room_type_id]
        try:
            theirs = _by_day(adapter.read_back(hotel_code=listing.hotel_code, room_code=room_code,
                                               start=min(days), end=max(days)))
        except ChannelError as exc:
            failures.append({"what": f"read back {room_code}", "error": exc.message})
            continue
        for (code, rate_code, day), values in ours.items():
            if code != room_code:
                continue
            shown = theirs.get((code, rate_code, day)) or theirs.get((code, "", day)) or {}
            for name in FIELDS:
                if values[name] is not None and not _same(shown.get(name), values[name]):
                    drift.append({"room_type_id": room_type_id, "room_code": code, "rate_code": rate_code,
                                  "date": day.isoformat(), "field": name, "channel": _plain(shown.get(name)),
                                  "ours": _plain(values[name])})
    return drift, failures


def _by_day(updates: list[Update]) -> dict[tuple[str, str, date], dict]:
    days = {}
    for update in updates:
        values = {name: getattr(update, name) for name in FIELDS}
        for i in range((update.end - update.start).days + 1):
            days[(update.room_code, update.rate_code, update.start + timedelta(days=i))] = values
    return days


def _same(shown, ours) -> bool:
    if isinstance(ours, Decimal) and shown is not None:
        return Decimal(str(shown)) == ours
    return shown == ours


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _dates_of(drift: list[dict]) -> dict[int, set[date]]:
    dates: dict[int, set[date]] = defaultdict(set)
    for entry in drift:
        dates[entry["room_type_id"]].add(date.fromisoformat(entry["date"]))
    return dates


def _dirty_dates(listing: Listing) -> dict[int, list[date]]:
    dates: dict[int, list[date]] = defaultdict(list)
    for mark in DirtyMark.objects.filter(listing=listing, cleared_at__isnull=True):
        dates[mark.room_type_id] += [mark.start + timedelta(days=i) for i in range((mark.end - mark.start).days + 1)]
    return dates


def _pull(listing: Listing, failures: list[dict]) -> int:
    """Reservations since the last cursor (or still unacknowledged), in case one was missed."""
    try:
        return listing_pull(listing_id=listing.pk)
    except ChannelError as exc:
        failures.append({"what": "pull reservations", "error": exc.message})
        return 0


def _finish(report: ReconciliationReport, *, checked: int, drift: list[dict], repaired: int,
            failures: list[dict], pulled: int) -> ReconciliationReport:
    with transaction.atomic():
        report.dates_checked, report.drift, report.repaired = checked, drift[:DRIFT_SHOWN], repaired
        report.drifted = len(drift)
        report.failures, report.reservations_pulled = failures, pulled
        report.outcome = R.FAILING if failures else (R.REPAIRED if drift or repaired else R.IN_SYNC)
        report.finished_at = timezone.now()
        report.save()
    return report
