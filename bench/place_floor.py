"""The floor of placing a booking: the same rows written by hand, through the same stack.

``POST /bench/place-floor/`` takes what ``POST /api/bookings/`` takes (a price lock of an
own-inventory stay, the guests, an Idempotency-Key) and does the least a placement must:

- one Redis round trip: the lock taken (``GETDEL``) and its tombstone written, pipelined;
- one transaction of two statements: the traveller's row locked, then **one** statement that
  claims the key, writes the booking, its other guest, its first event, its invoice, three outbox
  rows (invoice submission, ``booking.placed``, ``inventory.changed``), the hold and its nights,
  and takes the nights with a guarded UPDATE (refused if a night has too few rooms left), only
  while the traveller has fewer pending bookings than the cap;
- an answer of the same shape as the API's, built from the lock.

No ORM, no serializers, no validation beyond what the database enforces, no relay publishing
the outbox rows (they stay unpublished): what is left of a placement when everything that is
ours is taken away. ``place`` in bench/cpu_profile.py and bench/booking_place.py measure our
placement beside it: the share of the work that is the framework's and ours, not the database's.
"""
import hashlib
import json
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

PLACE_FLOOR_PATH = "/bench/place-floor/"

_PLACE = """
WITH pending AS (
    SELECT count(*) AS n FROM bookings_booking WHERE user_id = %(user_id)s AND status = 'pending'
), claim AS (
    INSERT INTO bookings_placementkey (user_id, key, fingerprint, created_at)
    SELECT %(user_id)s, %(key)s, %(fingerprint)s, %(now)s FROM pending WHERE pending.n < %(cap)s
    RETURNING id
), taken AS (
    UPDATE inventory_roomnight SET available = available - %(rooms)s, version = version + 1, updated_at = %(now)s
    WHERE room_type_id = %(room_type_id)s AND date >= %(check_in)s AND date < %(check_out)s
      AND available >= %(rooms)s AND NOT stop_sell AND EXISTS (SELECT 1 FROM claim)
    RETURNING id, date, available
), hold AS (
    INSERT INTO inventory_hold (reference, check_in, check_out, rooms, source, status, created_at, room_type_id)
    SELECT %(reference)s, %(check_in)s, %(check_out)s, %(rooms)s, 'api', 'held', %(now)s, %(room_type_id)s
    WHERE (SELECT count(*) FROM taken) = %(nights)s
    RETURNING id
), hold_nights AS (
    INSERT INTO inventory_holdnight (rooms, hold_id, room_night_id)
    SELECT %(rooms)s, hold.id, taken.id FROM hold, taken
), invoice AS (
    INSERT INTO payments_invoice (reference, coin_id, fiat_amount, fiat_currency, rate, amount_due, amount_paid,
        amount_confirmed, amount_late, excess_amount, shortfall_accepted, status, exception, processor_id, address,
        payment_link, submit_attempts, last_error, created_at, expires_at, monitoring_until, updated_at)
    SELECT %(reference)s, coin.id, %(total)s, %(currency)s, %(rate)s, %(amount)s, 0, 0, 0, 0, 0, 'new', '', '', '',
        '', 0, '', %(now)s, %(expires_at)s, %(monitoring_until)s, %(now)s
    FROM payments_coin coin, hold WHERE coin.code = %(coin)s AND coin.active
    RETURNING id
), booking AS (
    INSERT INTO bookings_booking (reference, kind, status, title, check_in, check_out, rooms, guests, refundable,
        free_cancellation_days, subtotal, discount, total, currency, coin_code, coin_rate, crypto_amount,
        redemption_code, points_redeemed, idempotency_key, request_fingerprint, payment_expires_at, created_at,
        updated_at, hold_id, property_id, rate_plan_id, room_type_id, user_id, arrival_time, lead_date_of_birth,
        lead_document_number, lead_email, lead_name, lead_phone, special_requests)
    SELECT %(reference)s, 'stay', 'pending', %(title)s, %(check_in)s, %(check_out)s, %(rooms)s, %(guests)s,
        %(refundable)s, %(free_days)s, %(subtotal)s, %(discount)s, %(total)s, %(currency)s, %(coin)s, %(rate)s,
        %(amount)s, '', 0, %(key)s, %(fingerprint)s, %(expires_at)s, %(now)s, %(now)s, hold.id, rt.property_id,
        %(rate_plan_id)s, rt.id, %(user_id)s, NULL, NULL, '', %(lead_email)s, %(lead_name)s, %(lead_phone)s, ''
    FROM hold, invoice, travel_roomtype rt WHERE rt.id = %(room_type_id)s
    RETURNING id, property_id
), guest AS (
    INSERT INTO bookings_bookingguest (booking_id, position, name, date_of_birth, document_number)
    SELECT booking.id, 1, %(other_name)s, NULL, '' FROM booking WHERE %(other_name)s <> ''
), event AS (
    INSERT INTO bookings_bookingevent (booking_id, action, status_from, status_to, actor_id, actor_label, data,
        created_at)
    SELECT booking.id, 'booking.placed', '', 'pending', %(user_id)s, 'traveller', %(event_data)s, %(now)s FROM booking
), outbox AS (
    INSERT INTO travel_outboxmessage (topic, key, payload, created_at, attempts, last_error)
    SELECT m.topic, m.key, m.payload::jsonb, %(now)s, 0, '' FROM booking, (VALUES
        ('task:payments.submit_invoice', %(reference)s, %(submit_payload)s),
        ('booking.placed', %(reference)s, %(placed_payload)s),
        ('inventory.changed', %(reference)s, %(changed_payload)s)) AS m(topic, key, payload)
)
SELECT booking.id FROM booking
"""


def _lock_taken(lock_id: str) -> dict | None:
    """The lock's data, taken at most once (GETDEL), its tombstone written in the same round trip."""
    cache = caches["locks"]
    key, tombstone = cache.make_key(f"bookings:lock:{lock_id}"), cache.make_key(f"bookings:lock-info:{lock_id}")
    pipe = cache.client.get_client(write=True).pipeline(transaction=False)
    pipe.getdel(key)
    pipe.set(tombstone, cache.client.encode({"used": True}), ex=24 * 3600)
    raw, _ = pipe.execute()
    return None if raw is None else cache.client.decode(raw)


class PlaceFloor(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        lock = _lock_taken(str(request.data.get("lock_id", "")))
        if lock is None or lock["user_id"] != request.user.pk:
            return Response({"error": "lock_gone"}, status=410)
        guests, stay, now = request.data["guests"], lock["stay"], timezone.now()
        check_in, check_out = date.fromisoformat(stay["check_in"]), date.fromisoformat(stay["check_out"])
        key = request.headers.get("Idempotency-Key", "")
        reference = "LT" + secrets.token_hex(4).upper()
        expires_at = now + timedelta(minutes=15)
        params = {
            "user_id": request.user.pk, "key": key, "now": now, "reference": reference,
            "fingerprint": hashlib.sha256(f"lock={lock['id']}".encode()).hexdigest(),
            "cap": settings.BOOKINGS_MAX_PENDING or 2**31 - 1, "room_type_id": stay["room_type_id"],
            "rate_plan_id": stay["rate_plan_id"], "check_in": check_in, "check_out": check_out,
            "nights": (check_out - check_in).days, "rooms": stay["rooms"], "guests": stay["guests"],
            "refundable": stay.get("refundable", True), "free_days": stay.get("free_cancellation_days", 0),
            "title": lock["title"][:200], "subtotal": lock["subtotal"], "discount": lock["discount"],
            "total": lock["total"], "currency": lock["currency"], "coin": lock["coin_code"], "rate": lock["coin_rate"],
            "amount": lock["crypto_amount"], "expires_at": expires_at,
            "monitoring_until": expires_at + timedelta(minutes=settings.PAYMENT_MONITORING_MINUTES),
            "lead_name": guests["lead"]["name"], "lead_email": guests["lead"]["email"],
            "lead_phone": guests["lead"]["phone"], "other_name": (guests.get("others") or [""])[0],
            "event_data": json.dumps({"lock_id": lock["id"], "total": lock["total"], "source": "api"}),
            "submit_payload": json.dumps({"kwargs": {"reference": reference}}),
            "placed_payload": json.dumps({"reference": reference, "user_id": request.user.pk}),
            "changed_payload": json.dumps({"room_type_id": stay["room_type_id"], "dates": [stay["check_in"]]}),
        }
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM auth_user WHERE id = %s FOR UPDATE", [request.user.pk])
            cursor.execute(_PLACE, params)
            placed = cursor.fetchone()
            if placed is None:  # a night without the rooms, or the cap: nothing written
                transaction.set_rollback(True)
                return Response({"error": "refused"}, status=409)
        return Response({
            "reference": reference, "status": "pending", "kind": "stay", "title": lock["title"],
            "check_in": stay["check_in"], "check_out": stay["check_out"], "total": lock["total"],
            "currency": lock["currency"], "points_redeemed": 0, "created_at": now.isoformat(),
            "guests": {"lead": guests["lead"], "others": guests.get("others") or [], "passengers": [],
                       "arrival_time": None, "special_requests": ""},
            "payment": {"pay_url": f"/pay/{reference}/", "coin": lock["coin_code"], "amount": lock["crypto_amount"],
                        "address": "", "payment_link": "", "expires_at": expires_at.isoformat(), "status": "new"},
            "cancellation": None,
        }, status=201)
