"""What one traveller may hold at once, so that one account cannot hoard a hotel.

- **Pending bookings** (placed, not paid yet: they hold rooms or a supplier offer):
  at most ``BOOKINGS_MAX_PENDING``.
- **Room-nights** held by those pending bookings (rooms × nights of our own inventory): at most
  ``BOOKINGS_MAX_PENDING_ROOM_NIGHTS``, the new booking's included.
- **Price locks** made in the last ``LOCK_MINUTES`` (a lock's life): at most
  ``BOOKINGS_MAX_LIVE_LOCKS``. A used lock keeps its place until it would have expired.

A cap of 0 is off. Placing checks the booking caps inside its transaction with the traveller's
user row locked, so two placements of one traveller at once are counted one after the other;
quoting checks them too, so that a traveller who cannot book is told before locking a price.
Lock places are cache keys taken with an atomic add (Redis ``SET NX`` in full stack, the
process's memory in the embedded mode), each living as long as a lock does.

Refusals are ``LimitReached`` errors (409, with a message saying what to do).
"""
import logging
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

from bookings.errors import TooManyLocks, TooManyPending, TooManyRoomNights
from bookings.locks import LOCK_MINUTES, PriceLock
from bookings.models import Booking

logger = logging.getLogger(__name__)

# One row whatever the number of pending bookings (check_out - check_in: whole days in PostgreSQL).
# Plain SQL: this runs in every placement, and compiling the ORM's aggregate cost more than running it.
_PENDING_HOLDINGS_SQL = (
    f"SELECT count(*), COALESCE(SUM(rooms * (check_out - check_in)) FILTER (WHERE kind = %s AND check_in IS NOT "
    f"NULL AND check_out IS NOT NULL), 0) FROM {Booking._meta.db_table} WHERE user_id = %s AND status = %s")

# Tests' negative control only: False counts without locking the traveller's row.
SERIALIZE_PER_TRAVELLER = True


def pending_holdings(*, user) -> tuple[int, int]:
    """(pending bookings, room-nights they hold) of ``user``, counted by the database (one row
    back, however many bookings wait: a traveller at the cap has that many)."""
    if connection.vendor != "postgresql":  # SQLite cannot subtract dates into days
        return _pending_holdings_in_python(Booking.objects.filter(user=user, status=Booking.Status.PENDING))
    with connection.cursor() as cursor:
        cursor.execute(_PENDING_HOLDINGS_SQL, [Booking.Kind.STAY, user.pk, Booking.Status.PENDING])
        count, room_nights = cursor.fetchone()
    return count, room_nights


def _pending_holdings_in_python(pending) -> tuple[int, int]:
    count, room_nights = 0, 0
    for kind, rooms, check_in, check_out in pending.values_list("kind", "rooms", "check_in", "check_out"):
        count += 1
        if kind == Booking.Kind.STAY and check_in and check_out:
            room_nights += rooms * (check_out - check_in).days
    return count, room_nights


def check_room_for_booking(*, user, room_nights: int) -> None:
    """Refuse a new pending booking of ``room_nights`` (0 for a supplier's offer) past a cap."""
    max_pending = settings.BOOKINGS_MAX_PENDING
    max_nights = settings.BOOKINGS_MAX_PENDING_ROOM_NIGHTS
    if not max_pending and not max_nights:
        return
    count, held = pending_holdings(user=user)
    if max_pending and count >= max_pending:
        raise TooManyPending(
            f"You already have {count} booking{'s' if count != 1 else ''} awaiting payment, the most one account "
            f"may hold. Pay for one or cancel it, then book again (an unpaid booking is released when its "
            f"payment time runs out).")
    if max_nights and room_nights and held + room_nights > max_nights:
        raise TooManyRoomNights(
            f"Your unpaid bookings hold {held} room-night{'s' if held != 1 else ''} and this stay adds "
            f"{room_nights}; at most {max_nights} can wait for payment at once. Pay for a booking first, "
            f"or book fewer rooms or nights.")


def check_placement(*, user, lock: PriceLock) -> None:
    """Inside placing's transaction: the booking caps, counted under the traveller's row lock."""
    if SERIALIZE_PER_TRAVELLER:
        _lock_traveller(user)
    check_room_for_booking(user=user, room_nights=_room_nights(lock.stay))


def _lock_traveller(user) -> None:
    """Lock the traveller's user row until the transaction ends (SQLite: the write lock does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {get_user_model()._meta.db_table} WHERE id = %s FOR UPDATE", [user.pk])


def _room_nights(stay: dict) -> int:
    if not stay:
        return 0
    nights = (date.fromisoformat(stay["check_out"]) - date.fromisoformat(stay["check_in"])).days
    return int(stay["rooms"]) * nights


def take_lock_place(*, user_id: int) -> str | None:
    """Take one of the traveller's price-lock places (its cache key), or refuse: TooManyLocks."""
    cap = settings.BOOKINGS_MAX_LIVE_LOCKS
    if not cap:
        return None
    keys = [f"bookings:lock-place:{user_id}:{n}" for n in range(cap)]
    try:
        taken = cache.get_many(keys)
        for key in keys:
            if key not in taken and cache.add(key, 1, timeout=LOCK_MINUTES * 60):
                return key
        # every free place was taken meanwhile, or the cache swallows its errors (django-redis
        # IGNORE_EXCEPTIONS: nothing is read, nothing is added): only the first is a refusal
        cache_answers = len(cache.get_many(keys)) >= cap
    except Exception:  # noqa: BLE001 - the cache raised
        cache_answers = False
    if not cache_answers:  # no cache, no lock either: storing the lock will say so
        logger.warning("price-lock cap not checked: the cache did not answer", exc_info=True)
        return None
    raise TooManyLocks(
        f"You already hold {cap} price locks from the last {LOCK_MINUTES} minutes, the most one account "
        f"may hold. Book with one of them, or wait until one expires.")


def give_back_lock_place(key: str | None) -> None:
    if key:
        try:
            cache.delete(key)
        except Exception:  # noqa: BLE001 - it expires with the lock's life anyway
            logger.warning("price-lock place %s not given back", key, exc_info=True)


def within_holding_limits(lock_price):
    """Wrap a price-lock service (``user=`` and, for a stay, ``stay=``): refuse before quoting
    when the traveller could not book it anyway or holds too many locks; a quote that fails
    gives its lock place back."""

    @wraps(lock_price)
    def wrapper(*, user, **kwargs):
        stay = kwargs.get("stay")
        check_room_for_booking(user=user, room_nights=stay.rooms * stay.nights if stay is not None else 0)
        place = take_lock_place(user_id=user.pk)
        try:
            return lock_price(user=user, **kwargs)
        except BaseException:
            give_back_lock_place(place)
            raise

    return wrapper
