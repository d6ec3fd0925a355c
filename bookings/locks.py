"""Price locks: a quote held for 10 minutes in Redis (the Django cache), used at most once.

The lock value carries its own ``expires_at``: the clock decides whether it is still good (so
tests can move time), and the Redis TTL, a little longer, is only the safety net that frees the
memory. Consuming is atomic: the one caller whose ``delete`` removed the key wins; everyone else
is told the lock is used. A used or expired lock is refused (HTTP 410) with a re-quote link,
never silently re-priced.

Locks live in the ``locks`` cache alias, which raises when Redis cannot be reached (the
``default`` alias turns an outage into misses). Without Redis no price can be held or checked,
so every lock operation fails closed: ``PriceLocksUnavailable`` (HTTP 503), nothing booked.
"""
import functools
import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.cache import caches
from django.utils import timezone

from core.errors import GoneError, Unavailable

logger = logging.getLogger(__name__)

LOCK_MINUTES = 10
DECIMAL_FIELDS = ("subtotal", "discount", "total", "coin_rate", "crypto_amount", "credit")
LOCK_TTL_SAFETY = timedelta(minutes=2)
TOMBSTONE_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class PriceLock:
    id: str
    user_id: int
    kind: str  # "stay" (own inventory) or a supplier kind: "hotel" | "flight" | "activity"
    title: str
    subtotal: Decimal  # fiat, before any redemption
    discount: Decimal
    total: Decimal  # fiat due
    currency: str
    coin_code: str
    coin_rate: Decimal
    crypto_amount: Decimal
    points: int
    redemption_code: str
    requote_url: str
    created_at: datetime
    expires_at: datetime
    stay: dict = field(default_factory=dict)  # room_type_id, rate_plan_id, check_in, check_out, rooms, guests
    offer: dict = field(default_factory=dict)  # offer_id, supplier, price, currency, details
    credit: Decimal = Decimal("0.00")  # platform credit used (fiat, part of ``discount``), spent at placement

    @property
    def points_discount(self) -> Decimal:
        """The part of ``discount`` paid with points (the rest is platform credit)."""
        return self.discount - self.credit

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.expires_at - timezone.now()).total_seconds()))

    def to_cache(self) -> dict:
        data = asdict(self)
        for name in DECIMAL_FIELDS:
            data[name] = str(data[name])
        data["created_at"] = self.created_at.isoformat()
        data["expires_at"] = self.expires_at.isoformat()
        return data

    @classmethod
    def from_cache(cls, data: dict) -> "PriceLock":
        data = dict(data)
        for name in DECIMAL_FIELDS:
            if name in data:  # a lock stored before credit existed has none
                data[name] = Decimal(data[name])
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        data["expires_at"] = datetime.fromisoformat(data["expires_at"])
        return cls(**data)


class LockGone(GoneError):
    """The lock is expired, used or unknown. ``requote_url`` leads to a fresh quote."""

    code = "lock_gone"

    def __init__(self, message: str, *, requote_url: str = "/", code: str = "lock_gone"):
        super().__init__(message, code=code)
        self.requote_url = requote_url

    def details(self) -> dict:
        return {"requote_url": self.requote_url}


class PriceLocksUnavailable(Unavailable):
    """Price locks cannot be stored or read (Redis is down): nothing can be booked at a held price."""

    code = "locks_unavailable"
    default_message = ("We cannot hold prices right now, so no booking can be made at the moment. "
                       "Nothing was booked or charged; please try again in a minute.")
    retry_after = 30

    def details(self) -> dict:
        return {"retry_after": self.retry_after}


class _LockStore:
    """The ``locks`` cache, each call turning a Redis failure into PriceLocksUnavailable."""

    def __getattr__(self, name):
        method = getattr(caches["locks"], name)

        @functools.wraps(method)
        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except Exception as exc:  # redis ConnectionError/TimeoutError (and any backend failure)
                logger.warning("price locks: the lock store failed on %s: %r", name, exc)
                raise PriceLocksUnavailable() from exc

        return call


store = _LockStore()


def _key(lock_id: str) -> str:
    return f"bookings:lock:{lock_id}"


def _tombstone_key(lock_id: str) -> str:
    return f"bookings:lock-info:{lock_id}"


def lock_store(**fields) -> PriceLock:
    """Store a new lock valid for LOCK_MINUTES from now and return it."""
    now = timezone.now()
    lock = PriceLock(id=uuid.uuid4().hex, created_at=now, expires_at=now + timedelta(minutes=LOCK_MINUTES), **fields)
    ttl = LOCK_MINUTES * 60 + int(LOCK_TTL_SAFETY.total_seconds())
    store.set(_key(lock.id), lock.to_cache(), timeout=ttl)
    store.set(_tombstone_key(lock.id), {"requote_url": lock.requote_url, "used": False},
              timeout=int(TOMBSTONE_TTL.total_seconds()))
    return lock


def lock_peek(*, lock_id: str, user_id: int) -> PriceLock:
    """The lock if it is still good for this user, without using it; else LockGone."""
    data = store.get(_key(lock_id)) if _valid_id(lock_id) else None
    if data is None or data.get("user_id") != user_id:
        raise _gone(lock_id)
    lock = PriceLock.from_cache(data)
    if timezone.now() >= lock.expires_at:
        raise LockGone(
            "This price lock has expired (prices are held for 10 minutes). Get a fresh quote.",
            requote_url=lock.requote_url, code="lock_expired",
        )
    return lock


def lock_consume(*, lock_id: str, user_id: int) -> PriceLock:
    """Use the lock once: only one caller ever gets it back; the others get LockGone."""
    lock = lock_peek(lock_id=lock_id, user_id=user_id)
    if not store.delete(_key(lock_id)):
        raise _gone(lock_id)
    store.set(_tombstone_key(lock_id), {"requote_url": lock.requote_url, "used": True},
              timeout=int(TOMBSTONE_TTL.total_seconds()))
    return lock


def lock_restore(*, lock: PriceLock) -> None:
    """Put back a lock whose booking did not happen (rolled back), for the time it had left.

    Never raises (it runs while another error is on its way out): a lock that cannot be put
    back is simply gone, and the traveller gets a fresh quote."""
    left = int((lock.expires_at - timezone.now()).total_seconds())
    if left <= 0:
        return
    try:
        store.set(_key(lock.id), lock.to_cache(), timeout=left + int(LOCK_TTL_SAFETY.total_seconds()))
        store.set(_tombstone_key(lock.id), {"requote_url": lock.requote_url, "used": False},
                  timeout=int(TOMBSTONE_TTL.total_seconds()))
    except PriceLocksUnavailable:
        logger.warning("price lock %s could not be put back; the traveller re-quotes", lock.id)


def _valid_id(lock_id: str) -> bool:
    return isinstance(lock_id, str) and len(lock_id) == 32 and all(c in "0123456789abcdef" for c in lock_id)


def _gone(lock_id: str) -> LockGone:
    info = store.get(_tombstone_key(lock_id)) if _valid_id(lock_id) else None
    if info and info.get("used"):
        return LockGone("This price lock was already used for a booking. Get a fresh quote to book again.",
                        requote_url=info["requote_url"], code="lock_used")
    if info:
        return LockGone("This price lock has expired (prices are held for 10 minutes). Get a fresh quote.",
                        requote_url=info["requote_url"], code="lock_expired")
    return LockGone("This price lock is unknown or has expired. Get a fresh quote.", code="lock_unknown")
