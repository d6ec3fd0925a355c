"""JSON API for bookings (DRF): price locks, placing with an Idempotency-Key, reading, cancelling.

    POST /api/bookings/locks/            {kind: "stay", room_type, rate_plan, check_in, check_out,
                                          rooms, guests, coin, points, credit}
                                         or {kind, offer_id, coin, points, credit}
    POST /api/bookings/                  {lock_id, guests: {lead: {name, email, phone}, others: [names],
                                          arrival_time, special_requests}} + header Idempotency-Key
                                          -> 201 (200 on replay)
    GET  /api/bookings/                  the traveller's bookings
    GET  /api/bookings/<reference>/      one booking with its timeline
    POST /api/bookings/<reference>/cancel/ {method: "crypto"|"credit"} -> 200 cancelled, or 202 while the
                                          supplier is asked (``cancellation.status: pending_at_supplier``)

HTTP only: a serializer parses the body (a 400 naming the field), a service or selector does
the work, a serializer renders the answer. Refusals are domain errors, which the one exception
handler (core/api.py) answers as {"error": code, "detail": message} with their status.
"""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import serializers as s
from bookings.selectors import booking_of, bookings_of
from bookings.services.lifecycle import booking_cancel
from bookings.services.placing import booking_place
from bookings.services.quoting import price_lock_offer, price_lock_stay
from core.api import ErrorSerializer
from core.throttles import ApiThrottle, PlacementThrottle, PriceLockThrottle


def _errors(*codes: int) -> dict:
    meaning = {400: "Invalid input", 403: "Not signed in", 404: "No such booking (or not yours)",
               409: "Refused by the current state", 410: "The price lock is used or expired",
               429: "Too many requests from this client; Retry-After says when to try again",
               503: "A party we depend on cannot answer now; try again"}
    return {code: OpenApiResponse(ErrorSerializer, description=meaning[code]) for code in codes}


LOCK_REQUEST = PolymorphicProxySerializer(
    component_name="PriceLockRequest",
    serializers={"stay": s.StayLockRequest, "hotel": s.OfferLockRequest, "flight": s.OfferLockRequest,
                 "activity": s.OfferLockRequest},
    resource_type_field_name="kind",
)


class PriceLockCreate(APIView):
    permission_classes = (permissions.IsAuthenticated,)
    throttle_classes = (ApiThrottle, PriceLockThrottle)

    @extend_schema(operation_id="bookings_lock_create", request=LOCK_REQUEST,
                   responses={201: s.PriceLockSerializer, **_errors(400, 403, 409, 410, 429, 503)})
    def post(self, request):
        body = s.price_lock_request(request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        if d["kind"] == "stay":
            lock = price_lock_stay(user=request.user, room_type=d["room_type_obj"], rate_plan=d["rate_plan_obj"],
                                   stay=d["stay"], coin_code=d["coin"], points=d["points"],
                                   credit=d["credit"])
        else:
            lock = price_lock_offer(user=request.user, kind=d["kind"], offer_id=d["offer_id"], coin_code=d["coin"],
                                    points=d["points"], credit=d["credit"])
        return Response(s.PriceLockSerializer(lock).data, status=status.HTTP_201_CREATED)


class BookingListCreate(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    def get_throttles(self):  # placing holds rooms: its own, tighter rate on top of the API's
        extra = [PlacementThrottle()] if self.request.method == "POST" else []
        return [*super().get_throttles(), *extra]

    @extend_schema(operation_id="bookings_list", responses={200: s.BookingListSerializer, **_errors(403, 429)})
    def get(self, request):
        return Response(s.BookingListSerializer({"bookings": bookings_of(user=request.user)[:100]}).data)

    @extend_schema(operation_id="bookings_place", request=s.PlaceRequest,
                   responses={201: s.BookingSerializer, 200: s.BookingSerializer,
                              **_errors(400, 403, 409, 410, 429, 503)},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
                                                description="One key per booking attempt; a replay answers 200 "
                                                            "with the booking it placed.")])
    def post(self, request):
        body = s.PlaceRequest(data=request.data)
        body.is_valid(raise_exception=True)
        placement = booking_place(user=request.user, lock_id=body.validated_data["lock_id"],
                                  idempotency_key=request.headers.get("Idempotency-Key", ""), source="api",
                                  guests=body.guest_details())
        if not placement.created:
            return Response(s.BookingSerializer(placement.booking).data, status=200)
        answer = s.BookingSerializer(placement.booking, context={"held": {"invoice": placement.invoice}})
        return Response(answer.data, status=201)


class BookingDetail(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(operation_id="bookings_detail", responses={200: s.BookingDetailSerializer, **_errors(403, 404, 429)})
    def get(self, request, reference):
        return Response(s.BookingDetailSerializer(booking_of(user=request.user, reference=reference)).data)


class BookingCancel(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(operation_id="bookings_cancel", request=s.CancelRequest,
                   responses={200: OpenApiResponse(s.BookingDetailSerializer, description="Cancelled."),
                              202: OpenApiResponse(s.BookingDetailSerializer, description=(
                                  "Asked of the supplier, which has not answered yet: the booking keeps its "
                                  "status, and `cancellation` says what the refund will be.")),
                              **_errors(400, 403, 404, 409, 429, 503)})
    def post(self, request, reference):
        body = s.CancelRequest(data=request.data)
        body.is_valid(raise_exception=True)
        booking = booking_cancel(reference=reference, user=request.user, method=body.validated_data["method"])
        answer = s.BookingDetailSerializer(booking).data
        pending = answer["cancellation"] is not None
        return Response(answer, status=status.HTTP_202_ACCEPTED if pending else status.HTTP_200_OK)
