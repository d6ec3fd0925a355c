"""Placing a booking from a price lock, once per Idempotency-Key, in one transaction.

Inside the transaction: claim the key, use the lock, create the booking as pending (or record
the supplier hold), reserve the redemption, spend any platform credit, open the invoice (a row
only), log the first event, write ``booking.placed`` to the outbox and, last, take the nights
(their row locks are then held for the shortest time). After commit the invoice is
created at the processor over HTTP; the traveller never waits for a supplier or a chain.
A booking that platform credit and points cover entirely has no invoice: it moves on as paid
in the same transaction (``booking_paid_without_invoice``).
"""
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import events
from bookings.guests import GuestDetails, expected_guests
from bookings.limits import check_placement
from bookings.locks import PriceLock, lock_consume, lock_restore
from bookings.models import Booking, PlacementKey, SupplierHold
from bookings.publishing import publish_placed
from bookings.redemption import redemption_provider
from bookings.selectors import UNREAD
from bookings.services.guests import guests_apply, other_guests_create
from bookings.services.lifecycle import booking_paid_without_invoice
from catalogue.models import RoomType
from core.errors import ConflictError
from core.inserts import insert_row, update_row
from core.logging import bind_booking
from core.money import money
from core.reads import get_along
from inventory.models import RatePlan
from inventory.services import inventory_reserve
from inventory.stays import Stay

logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PAYMENT_WINDOW = timedelta(minutes=15)


class IdempotencyConflict(ConflictError):
    """The key was already used with a different request body."""

    code = "idempotency_conflict"
    default_message = message = "This Idempotency-Key was already used with a different request."


@dataclass(frozen=True)
class Placement:
    booking: Booking
    created: bool  # False when the same key returned the booking it placed before
    # The invoice this placement opened (None: nothing left to pay), so that the answer is built
    # from what was just written; UNREAD on a replay (the answer reads it).
    invoice: object = UNREAD


def new_reference() -> str:
    return "LT" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def request_fingerprint(*, lock_id: str) -> str:
    return hashlib.sha256(f"lock={lock_id}".encode()).hexdigest()


def validate_idempotency_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise ValidationError("The Idempotency-Key header is required.", code="idempotency_key")
    if len(key) > 100 or not key.isprintable():
        raise ValidationError("The Idempotency-Key must be at most 100 printable characters.",
                              code="idempotency_key")
    return key


def booking_place(*, user, lock_id: str, idempotency_key: str, source: str = "web",
                  guests: GuestDetails | None = None) -> Placement:
    """Place the booking a price lock describes; the same key returns the same booking.
    ``guests`` (who is travelling) is recorded with it; the site and the API always send it.

    Raises LockGone (410), IdempotencyConflict (409), InventoryError (409) or ValidationError (400).
    """
    key = validate_idempotency_key(idempotency_key)
    fingerprint = request_fingerprint(lock_id=str(lock_id))
    # No look-up of the key first: the claim is the transaction's first write, so a key used
    # before fails there (IntegrityError, before the lock is touched) and is answered as a replay.
    consumed: list[PriceLock] = []
    committed: list[bool] = []
    try:
        with transaction.atomic():
            # Registered first, so it runs first after COMMIT: from then on the lock is spent
            # for good, whatever any later after-commit work does.
            transaction.on_commit(lambda: committed.append(True))
            insert_row(PlacementKey(user=user, key=key, fingerprint=fingerprint))  # the key's guard
            lock = lock_consume(lock_id=str(lock_id), user_id=user.pk)
            consumed.append(lock)
            check_placement(user=user, lock=lock)  # the per-traveller caps (bookings/limits.py)
            booking, invoice = _place(user=user, lock=lock, key=key, fingerprint=fingerprint, source=source,
                                      guests=guests)
            if booking.kind == Booking.Kind.STAY:
                _take_nights(booking=booking, source=source)  # last: see _take_nights
            if settings.BOOKINGS_SUBMIT_INVOICE_INLINE and invoice is not None:
                transaction.on_commit(lambda: _submit_invoice(invoice=invoice), robust=True)
    except IntegrityError:
        replay = _replay(user=user, key=key, fingerprint=fingerprint)
        if replay:
            return replay
        raise
    except BaseException:
        if not committed:  # our transaction rolled back: the lock was never really used
            for lock in consumed:
                lock_restore(lock=lock)
        raise
    if invoice is not None and settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded mode ran payments.submit_invoice here, after commit, on its own copy:
        # answer with the address it got, as a read would (with a broker it comes later).
        invoice.refresh_from_db()
    return Placement(booking=booking, created=True, invoice=invoice)


def _replay(*, user, key: str, fingerprint: str) -> Placement | None:
    """The booking placed before with this key (the booking carries its key and fingerprint)."""
    booking = Booking.objects.filter(user=user, idempotency_key=key).first()
    if booking is None:
        return None
    if booking.request_fingerprint != fingerprint:
        raise IdempotencyConflict(IdempotencyConflict.message)
    return Placement(booking=booking, created=False)


def _place(*, user, lock: PriceLock, key: str, fingerprint: str, source: str, guests: GuestDetails | None = None):
    booking = Booking(
        reference=new_reference(), user=user, kind=lock.kind, title=lock.title[:200],
        subtotal=lock.subtotal, discount=lock.discount, total=lock.total, currency=lock.currency,
        coin_code=lock.coin_code, coin_rate=lock.coin_rate, crypto_amount=lock.crypto_amount,
        idempotency_key=key, request_fingerprint=fingerprint,
    )
    bind_booking(booking.reference)
    if lock.kind == Booking.Kind.STAY:
        stay, room_type = _stay_of(lock)
        booking.property_id = room_type.property_id
        booking.room_type = room_type
        booking.rate_plan_id = lock.stay["rate_plan_id"]
        booking.check_in, booking.check_out = stay.check_in, stay.check_out
        booking.rooms, booking.guests = stay.rooms, stay.guests
        booking.refundable, booking.free_cancellation_days = _terms_locked(lock)
    else:
        details = lock.offer.get("details") or {}
        booking.check_in = _date_or_none(details.get("check_in") or details.get("date") or details.get("depart_at"))
        booking.check_out = _date_or_none(details.get("check_out")) or booking.check_in
        booking.refundable = bool(details.get("refundable", False))
        booking.free_cancellation_days = int(details.get("free_cancellation_days") or 0)
    if lock.points:
        _redeem(booking=booking, user=user, lock=lock)
    if lock.credit:
        _spend_credit(booking=booking, user=user, lock=lock)
    invoice = _open_invoice(booking) if booking.total > 0 else None  # credit and points may cover it all
    if invoice is not None:
        booking.payment_expires_at = getattr(invoice, "expires_at", None) or timezone.now() + PAYMENT_WINDOW
    if guests is not None:  # the lead guest is written with the booking's INSERT
        details = lock.offer.get("details") or {}
        guests_apply(booking=booking, guests=guests, document_required=bool(details.get("document_required")),
                     expected=expected_guests(kind=lock.kind, stay=lock.stay, offer_details=details))
    insert_row(booking)
    if guests is not None:
        other_guests_create(booking=booking, guests=guests)
    if lock.kind != Booking.Kind.STAY:
        SupplierHold.objects.create(
            booking=booking, kind=lock.kind, offer_id=lock.offer["offer_id"], supplier=lock.offer.get("supplier", ""),
            price=Decimal(lock.offer["price"]), currency=lock.offer["currency"], details=lock.offer.get("details") or {},
        )
    events.placed(booking=booking, actor=events.Actor.traveller(user), data={
        "lock_id": lock.id, "total": booking.total, "currency": booking.currency, "coin": booking.coin_code,
        "crypto_amount": booking.crypto_amount, "rate": booking.coin_rate, "points_redeemed": booking.points_redeemed,
        "credit_used": lock.credit, "source": source,
    })
    publish_placed(booking)
    if invoice is None:
        booking_paid_without_invoice(booking=booking, credit=lock.credit, points=lock.points)
    return booking, invoice


def _open_invoice(booking: Booking):
    """The crypto invoice for what is left to pay (a row only; submitted to the processor after commit)."""
    from bookings.payments.errors import PaymentError
    from bookings.payments.services import invoice_open

    try:
        return invoice_open(
            reference=booking.reference, fiat_amount=booking.total, fiat_currency=booking.currency,
            coin_code=booking.coin_code, crypto_amount=booking.crypto_amount, rate=booking.coin_rate,
            reference_is_new=True,  # made by new_reference() in this transaction; its INSERT is unique
        )
    except PaymentError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def _take_nights(*, booking: Booking, source: str) -> None:
    """Reserve the booking's nights, as the transaction's last writes: a night's row lock is held
    from its UPDATE to the COMMIT, and on a hot night that lock is what every booking queues for,
    so the booking, its redemption, invoice, event and outbox rows are written before it. A
    refusal (SoldOut, Busy, ...) rolls all of them back with the caller's transaction."""
    stay = Stay(check_in=booking.check_in, check_out=booking.check_out, rooms=booking.rooms, guests=booking.guests)
    booking.hold = inventory_reserve(room_type=booking.room_type, stay=stay, source=source,
                                     reference=booking.reference)
    update_row(booking, ("hold",))  # a plain UPDATE: nothing to compile while the nights are locked


def _stay_of(lock: PriceLock) -> tuple[Stay, RoomType]:
    data = lock.stay
    # with its hotel and destination (inventory_reserve checks the stay against the hotel's today)
    room_type = get_along(RoomType, data["room_type_id"], "property__destination")
    stay = Stay(check_in=date.fromisoformat(data["check_in"]), check_out=date.fromisoformat(data["check_out"]),
                rooms=int(data["rooms"]), guests=int(data["guests"]))
    return stay, room_type


def _terms_locked(lock: PriceLock) -> tuple[bool, int]:
    """(refundable, free cancellation days) as shown and locked with the price; a lock made
    before locks carried them reads the rate plan's."""
    data = lock.stay
    if "refundable" in data:
        return bool(data["refundable"]), int(data["free_cancellation_days"])
    plan = RatePlan.objects.get(pk=data["rate_plan_id"])
    return plan.refundable, plan.free_cancellation_days if plan.refundable else 0


def _redeem(*, booking: Booking, user, lock: PriceLock) -> None:
    provider = redemption_provider(lock.redemption_code)
    if provider is None:
        raise ValidationError("Points cannot be redeemed right now; get a fresh quote without points.",
                              code="points")
    discount = money(provider.reserve(user=user, booking_reference=booking.reference, amount=Decimal(lock.points),
                                      fiat_total=lock.subtotal, currency=lock.currency))
    if discount < lock.discount - lock.credit:  # the lock's discount is points plus any credit
        raise ValidationError("Your points balance changed since the price was locked; get a fresh quote.",
                              code="points")
    booking.points_redeemed = lock.points
    booking.redemption_code = lock.redemption_code


def _spend_credit(*, booking: Booking, user, lock: PriceLock) -> None:
    """Spend the platform credit the lock carries, in this transaction (payments' credit ledger)."""
    from bookings.payments.errors import PaymentError
    from bookings.payments.services import credit_spend

    try:
        credit_spend(user_id=user.pk, currency=lock.currency, amount=lock.credit, booking_reference=booking.reference)
    except PaymentError as exc:
        raise ValidationError(exc.message, code="credit") from exc


def _date_or_none(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _submit_invoice(*, invoice) -> None:
    """Create the invoice at the processor now, so the answer carries the address. If the
    processor is down, payments' own task (queued by invoice_open through the outbox) retries it."""
    from bookings.payments.errors import PaymentError
    from bookings.payments.services import invoice_submit

    try:
        invoice_submit(invoice=invoice)
    except PaymentError as exc:
        logger.warning("invoice %s not submitted yet (%s); payments.submit_invoice retries it", invoice.pk, exc)
