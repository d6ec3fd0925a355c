"""JSON API for bookings (DRF): price locks, placing with an Idempotency-Key, reading, cancelling.

    POST /api/bookings/locks/            {kind: "stay", room_type, rate_plan, check_in, check_out,
                                          rooms, guests, coin, points} or {kind, offer_id, coin, points}
    POST /api/bookings/                  {lock_id}  + header Idempotency-Key   -> 201 (200 on replay)
    GET  /api/bookings/                  the traveller's bookings
    GET  /api/bookings/<reference>/      one booking with its timeline
    POST /api/bookings/<reference>/cancel/ {method: "crypto"|"credit"}
"""
from django.core.exceptions import ValidationError
from django.db import OperationalError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.forms import OfferForm, PayWithForm, StayForm, first_error
from bookings.locks import LockGone, PriceLock
from bookings.models import Booking
from bookings.selectors import booking_of, booking_timeline, bookings_of, payment_instructions
from bookings.services.lifecycle import booking_cancel
from bookings.services.placing import IdempotencyConflict, booking_place
from bookings.services.quoting import price_lock_offer, price_lock_stay
from inventory.errors import InventoryError

# What a refused price lock answers: sold out / restricted is a conflict, a rate source that is
# down is temporary, everything else is the traveller's input.
LOCK_ERROR_STATUS = {"unbookable": 409, "rates_unavailable": 503}


def _error(code: str, message: str, http_status: int, **extra) -> Response:
    return Response({"error": code, "message": message, **extra}, status=http_status)


def lock_json(lock: PriceLock) -> dict:
    return {"lock_id": lock.id, "kind": lock.kind, "title": lock.title, "subtotal": str(lock.subtotal),
            "discount": str(lock.discount), "total": str(lock.total), "currency": lock.currency,
            "coin": lock.coin_code, "rate": str(lock.coin_rate), "amount_due": str(lock.crypto_amount),
            "points": lock.points, "expires_at": lock.expires_at.isoformat(), "seconds_left": lock.seconds_left}


def booking_json(booking: Booking, *, with_timeline: bool = False) -> dict:
    data = {"reference": booking.reference, "status": booking.status, "kind": booking.kind, "title": booking.title,
            "check_in": booking.check_in.isoformat() if booking.check_in else None,
            "check_out": booking.check_out.isoformat() if booking.check_out else None,
            "total": str(booking.total), "currency": booking.currency, "points_redeemed": booking.points_redeemed,
            "created_at": booking.created_at.isoformat(),
            "payment": payment_instructions(booking=booking).as_dict()}
    if with_timeline:
        data["timeline"] = [{"action": e.action, "at": e.created_at.isoformat(), "by": e.actor_label,
                             "status": e.status_to, "data": e.data} for e in booking_timeline(booking=booking)]
    return data


class PriceLockCreate(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="bookings_lock_create", request=OpenApiTypes.OBJECT,
                   responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        kind = str(request.data.get("kind", "stay"))
        pay = PayWithForm(request.data)
        if not pay.is_valid():
            return _error("invalid", first_error(pay), 400)
        coin, points = pay.cleaned_data["coin"], pay.cleaned_data.get("points") or 0
        try:
            if kind == "stay":
                form = StayForm(request.data)
                if not form.is_valid():
                    return _error("invalid", first_error(form), 400)
                d = form.cleaned_data
                lock = price_lock_stay(user=request.user, room_type=d["room_type_obj"], rate_plan=d["rate_plan_obj"],
                                       stay=d["stay"], coin_code=coin, points=points)
            else:
                form = OfferForm(request.data)
                if not form.is_valid():
                    return _error("invalid", first_error(form), 400)
                lock = price_lock_offer(user=request.user, kind=kind, offer_id=form.cleaned_data["offer_id"],
                                        coin_code=coin, points=points)
        except ValidationError as exc:
            return _error(exc.code or "invalid", exc.messages[0], LOCK_ERROR_STATUS.get(exc.code, 400))
        except Exception as exc:
            from suppliers.errors import SupplierError

            if isinstance(exc, SupplierError):
                return _error("supplier_unavailable", "The supplier is not answering; try again shortly.", 503)
            raise
        return Response(lock_json(lock), status=status.HTTP_201_CREATED)


class PlaceSerializer(serializers.Serializer):
    lock_id = serializers.CharField(max_length=64)


class BookingListCreate(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="bookings_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"bookings": [booking_json(b) for b in bookings_of(user=request.user)[:100]]})

    @extend_schema(operation_id="bookings_place", request=PlaceSerializer, responses={201: OpenApiTypes.OBJECT},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)])
    def post(self, request):
        body = PlaceSerializer(data=request.data)
        if not body.is_valid():
            return _error("invalid", "Send the lock_id of a price lock.", 400)
        try:
            placement = booking_place(user=request.user, lock_id=body.validated_data["lock_id"],
                                      idempotency_key=request.headers.get("Idempotency-Key", ""), source="api")
        except LockGone as gone:
            return _error(gone.code, gone.message, 410, requote_url=gone.requote_url)
        except IdempotencyConflict as exc:
            return _error("idempotency_conflict", exc.message, 409)
        except InventoryError as exc:
            return _error(exc.code, exc.message, 409)
        except ValidationError as exc:
            return _error(exc.code or "invalid", exc.messages[0], 400)
        except OperationalError:  # a lock or connection timeout: nothing was written, the lock is back
            response = _error("busy", "We are busy; please try again in a moment (nothing was booked).", 503)
            response["Retry-After"] = "1"
            return response
        return Response(booking_json(placement.booking), status=201 if placement.created else 200)


class BookingDetail(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="bookings_detail", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, reference):
        try:
            booking = booking_of(user=request.user, reference=reference)
        except Booking.DoesNotExist:
            return _error("not_found", "No such booking.", 404)
        return Response(booking_json(booking, with_timeline=True))


class BookingCancel(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="bookings_cancel", request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, reference):
        method = str(request.data.get("method") or "crypto")
        try:
            booking = booking_cancel(reference=reference, user=request.user, method=method)
        except Booking.DoesNotExist:
            return _error("not_found", "No such booking.", 404)
        except ValidationError as exc:
            return _error(exc.code or "invalid", exc.messages[0], 409 if exc.code == "status" else 400)
        return Response(booking_json(booking, with_timeline=True))
