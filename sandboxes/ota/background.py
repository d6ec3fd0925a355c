"""The sandbox OTA's own clock: what a channel does without being asked.

- Booking.com-like: a revision we have not answered is notified again every ``resend_after_s``
  (default 30) and marked escalated once ``escalate_after_s`` (default 300) have passed since it
  was made; an escalated revision is no longer re-sent (the channel now phones the hotel).
- ``extra.traffic``: reservations made, modified and cancelled at ``per_minute`` on the targets,
  as guests would; it stops as soon as the setting is gone (reconfigured or reset).

One daemon thread runs both every ``TICK_S``; ``OtaApp.start_background`` starts it when first needed.
"""
import random
import sys
import time
import traceback
from datetime import date, timedelta

from sandboxes.ota.app import app
from sandboxes.ota.store import CANCELLED

TICK_S = 0.1
GUESTS = ("Ana Lopez", "Budi Santoso", "Chen Wei", "Dara Okafor", "Emma Schulz", "Farid Haddad")


def run() -> None:
    next_traffic_at = None
    while True:
        time.sleep(TICK_S)
        try:
            resend_and_escalate(time.time())
            next_traffic_at = traffic(time.monotonic(), next_traffic_at)
        except Exception:  # a bug here must not end the thread for the rest of the run
            traceback.print_exc(file=sys.stderr)


def resend_and_escalate(now: float) -> None:
    resend_after = float(app.extra("resend_after_s", 30))
    escalate_after = float(app.extra("escalate_after_s", 300))
    due = []
    with app.store.lock:
        for reservation in app.store.all("booking_com"):
            for revision in reservation.revisions:
                if revision.answered or revision.escalated or not revision.notified_at:
                    continue
                if now - revision.created_at >= escalate_after:
                    revision.escalated = True
                elif now - revision.notified_at >= resend_after:
                    due.append((reservation, revision))
    for reservation, revision in due:
        app.notify(reservation, revision)


def traffic(now: float, next_at: float | None) -> float | None:
    """Make the changes due by ``now``; return when the next one is due (None: no traffic)."""
    setting = app.extra("traffic")
    if not setting:
        return None
    interval = 60 / setting["per_minute"]
    next_at = now if next_at is None else max(next_at, now - interval)  # never a burst to catch up
    while next_at <= now:
        with app.store.lock:
            if app.extra("traffic") is not setting:  # reset or reconfigured meanwhile: nothing more
                return None
            one_change(random.choice(setting["targets"]))
        next_at += interval
    return next_at


def one_change(target: dict) -> None:
    """Mostly a new reservation; sometimes a modification or cancellation of an earlier one."""
    channel, hotel = target["channel"], target["hotel_code"]
    live = [r for r in app.store.all(channel, hotel) if r.current.status != CANCELLED]
    roll = random.random()
    if live and roll < 0.2:
        reservation = random.choice(live)
        check_out = date.fromisoformat(reservation.current.stay["check_out"]) + timedelta(days=1)
        reservation, revision = app.store.modify(channel, reservation.id, {"check_out": check_out.isoformat()})
    elif live and roll < 0.3:
        reservation, revision = app.store.cancel(channel, random.choice(live).id)
    else:
        check_in = date.today() + timedelta(days=random.randint(7, 60))
        nights = random.randint(1, 5)
        reservation, revision = app.store.create(channel, {
            "hotel_code": hotel, "room_code": target["room_code"], "rate_code": target["rate_code"],
            "check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=nights)).isoformat(),
            "rooms": 1, "guests": random.randint(1, 3), "guest_name": random.choice(GUESTS),
            "guest_email": "guest@example.com", "total": f"{nights * random.randint(80, 240)}.00",
        })
    app.notify(reservation, revision)


app.background = run
