"""What the bookings API reads and writes, field by field (and so what its OpenAPI schema says).

Input serializers turn a request body into typed values or a 400 naming the field; output
serializers render a price lock, a booking and its timeline. No service is called from here.
"""
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.guests import (
    MAX_NAME,
    MAX_REQUESTS,
    PHONE_HELP,
    GuestDetails,
    Person,
    document_number,
    guest_name,
    phone_e164,
)
from bookings.models import Booking
from bookings.selectors import booking_timeline, payment_instructions, pending_cancellation, stay_choice
from bookings.timeline import event_phrase
from inventory.stays import MAX_GUESTS_PER_ROOM, MAX_ROOMS

MAX_POINTS = 10_000_000
OFFER_KINDS = ("hotel", "flight", "activity")


# --- requests ------------------------------------------------------------------------------------
class PayWith(serializers.Serializer):
    coin = serializers.CharField(max_length=16, help_text="The coin to pay with, e.g. BTC.",
                                 error_messages={"required": "Choose a coin to pay with.",
                                                 "blank": "Choose a coin to pay with."})
    points = serializers.IntegerField(min_value=0, max_value=MAX_POINTS, default=0,
                                      help_text="Loyalty points to redeem against the total.",
                                      error_messages={"min_value": "Points cannot be negative."})
    credit = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"),
                                      help_text="Platform credit to use, in the booking's currency.",
                                      error_messages={"min_value": "Credit cannot be negative.",
                                                      "invalid": "Enter the credit as an amount, e.g. 12.50."})


class StayLockRequest(PayWith):
    """Lock the price of a stay in one of our own hotels."""

    kind = serializers.ChoiceField(choices=["stay"], default="stay")
    room_type = serializers.IntegerField(min_value=1, error_messages={"required": "Choose a room."})
    rate_plan = serializers.IntegerField(min_value=1, required=False,
                                         help_text="The rate plan; the hotel's first plan when left out.")
    check_in = serializers.DateField(error_messages={"required": "Choose a check-in date.",
                                                     "invalid": "Enter the check-in date as YYYY-MM-DD."})
    check_out = serializers.DateField(error_messages={"required": "Choose a check-out date.",
                                                      "invalid": "Enter the check-out date as YYYY-MM-DD."})
    rooms = serializers.IntegerField(min_value=1, max_value=MAX_ROOMS, default=1)
    guests = serializers.IntegerField(min_value=1, max_value=MAX_ROOMS * MAX_GUESTS_PER_ROOM, default=2)

    def validate(self, data):
        try:
            choice = stay_choice(room_type_id=data["room_type"], rate_plan_id=data.get("rate_plan"),
                                 check_in=data["check_in"], check_out=data["check_out"], rooms=data["rooms"],
                                 guests=data["guests"])
        except DjangoValidationError as exc:
            if exc.code in ("room_type", "rate_plan"):
                raise serializers.ValidationError({exc.code: exc.messages[0]}) from exc
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from exc
        return {**data, "room_type_obj": choice.room_type, "rate_plan_obj": choice.rate_plan, "stay": choice.stay}


class OfferLockRequest(PayWith):
    """Lock the price of a supplier's hotel, flight or activity offer (as found by a search)."""

    kind = serializers.ChoiceField(choices=OFFER_KINDS, error_messages={
        "invalid_choice": "Choose a stay, or a hotel, flight or activity offer."})
    offer_id = serializers.CharField(max_length=120, error_messages={"required": "Choose an offer."})


def price_lock_request(data) -> serializers.Serializer:
    """The request serializer for ``data``'s kind (a stay unless it says otherwise)."""
    kind = data.get("kind", "stay") if isinstance(data, dict) else "stay"
    return (StayLockRequest if kind == "stay" else OfferLockRequest)(data=data)


def _django_checked(check, value):
    try:
        return check(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages[0]) from exc


class LeadGuest(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_NAME, help_text="Full name, as on their ID.",
                                 error_messages={"required": "Enter the lead guest's full name.",
                                                 "blank": "Enter the lead guest's full name."})
    email = serializers.EmailField(max_length=254, error_messages={
        "required": "Enter the lead guest's email address.", "blank": "Enter the lead guest's email address.",
        "invalid": "Enter a valid email address, e.g. ana@example.com."})
    phone = serializers.CharField(max_length=40, help_text="With the country code, e.g. +44 20 7946 0958.",
                                  error_messages={"required": PHONE_HELP, "blank": PHONE_HELP})

    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None,
                                          help_text="Flights: every passenger's (YYYY-MM-DD).",
                                          error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."})
    document_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                            help_text="Flights whose offer has document_required: passport or ID.")

    def validate_name(self, value):
        return _django_checked(guest_name, value)

    def validate_phone(self, value):
        return _django_checked(phone_e164, value)

    def validate_document_number(self, value):
        return _django_checked(document_number, value)


class OtherGuest(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_NAME, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None,
                                          error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."})
    document_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    def validate_name(self, value):
        return _django_checked(guest_name, value)

    def validate_document_number(self, value):
        return _django_checked(document_number, value)


@extend_schema_field({"oneOf": [{"type": "string", "description": "The guest's full name."},
                                {"$ref": "#/components/schemas/OtherGuest"}]})
class OtherGuestField(serializers.Field):
    """An other guest: their name, or (flights) {name, date_of_birth, document_number}."""

    default_error_messages = {"invalid": "Give each other guest as a name, or as {{name, date_of_birth, "
                                         "document_number}}."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = {"name": data}
        if not isinstance(data, dict):
            self.fail("invalid")
        person = OtherGuest(data=data)
        person.is_valid(raise_exception=True)
        return Person(**person.validated_data)

    def to_representation(self, value):
        return value


class GuestsRequest(serializers.Serializer):
    """Who is travelling: the lead guest (the contact) and every other guest's name."""

    lead = LeadGuest(error_messages={"required": "Give the lead guest's name, email and phone."})
    others = serializers.ListField(
        child=OtherGuestField(), default=list, max_length=MAX_ROOMS * MAX_GUESTS_PER_ROOM,
        help_text="The other guests: as many as the booking has guests, less the lead; each a full name, or "
                  "for flights {name, date_of_birth, document_number}.")
    arrival_time = serializers.TimeField(required=False, allow_null=True, default=None,
                                         help_text="Expected arrival, the hotel's local time (HH:MM).",
                                         error_messages={"invalid": "Enter the arrival time as HH:MM."})
    special_requests = serializers.CharField(max_length=MAX_REQUESTS, allow_blank=True, default="",
                                             help_text="Passed to the hotel; not guaranteed.")


class PlaceRequest(serializers.Serializer):
    lock_id = serializers.CharField(max_length=64, help_text="The lock_id of a price lock you made.",
                                    error_messages={"required": "Send the lock_id of a price lock."})
    guests = GuestsRequest(error_messages={"required": "Say who is travelling (guests.lead, guests.others)."})

    def guest_details(self) -> GuestDetails:
        d = self.validated_data["guests"]
        lead = d["lead"]
        return GuestDetails(lead_name=lead["name"], lead_email=lead["email"], lead_phone=lead["phone"],
                            lead_date_of_birth=lead["date_of_birth"], lead_document_number=lead["document_number"],
                            others=tuple(d["others"]), arrival_time=d["arrival_time"],
                            special_requests=d["special_requests"].strip())


class CancelRequest(serializers.Serializer):
    method = serializers.ChoiceField(choices=["crypto", "credit"], default="crypto",
                                     help_text="How a refund due is paid: in crypto, or as platform credit.",
                                     error_messages={"invalid_choice": "Choose a refund in crypto or as platform credit."})


# --- responses -----------------------------------------------------------------------------------
class PriceLockSerializer(serializers.Serializer):
    lock_id = serializers.CharField(source="id")
    kind = serializers.CharField()
    title = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Before points, fiat.")
    discount = serializers.DecimalField(max_digits=12, decimal_places=2,
                                        help_text="Paid with points and platform credit, fiat.")
    credit = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Of the discount, platform credit.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Due, fiat.")
    currency = serializers.CharField()
    coin = serializers.CharField(source="coin_code")
    rate = serializers.CharField(source="coin_rate", help_text="Fiat per coin at lock time.")
    amount_due = serializers.CharField(source="crypto_amount", help_text="Due, in the coin.")
    points = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    seconds_left = serializers.IntegerField()


class PaymentSerializer(serializers.Serializer):
    pay_url = serializers.CharField()
    coin = serializers.CharField(source="coin_code")
    amount = serializers.CharField(help_text="Due, in the coin's own decimals.")
    address = serializers.CharField(help_text="Empty until the processor has created the invoice.")
    payment_link = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text="The invoice's status; empty until it exists; \"nothing_to_pay\" "
                                             "when platform credit and points paid the whole total (no invoice).")


class CancellationSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="\"pending_at_supplier\": the cancellation was asked of the supplier, "
                                             "which has not answered yet; the booking keeps its status until it does.")
    requested_at = serializers.DateTimeField()
    refund_method = serializers.CharField(help_text="How the refund will be paid: \"crypto\" or \"credit\".")
    expected_refund = serializers.DecimalField(max_digits=12, decimal_places=2,
                                               help_text="What the traveller gets back under the terms.")
    currency = serializers.CharField()
    terms = serializers.CharField(help_text="The terms, in words.")


class LeadGuestOut(serializers.Serializer):
    name = serializers.CharField(source="lead_name")
    email = serializers.CharField(source="lead_email")
    phone = serializers.CharField(source="lead_phone")


class GuestsOut(serializers.Serializer):
    lead = LeadGuestOut(source="*")
    others = serializers.SerializerMethodField()
    passengers = serializers.SerializerMethodField()
    arrival_time = serializers.TimeField(allow_null=True, format="%H:%M")
    special_requests = serializers.CharField()

    def get_others(self, booking: Booking) -> list[str]:
        return [guest.name for guest in booking.other_guests.all()]

    @extend_schema_field(OtherGuest(many=True))
    def get_passengers(self, booking: Booking) -> list[dict]:
        """Flights: every passenger (the lead first) with date of birth and document number."""
        if booking.kind != Booking.Kind.FLIGHT:
            return []
        people = [(booking.lead_name, booking.lead_date_of_birth, booking.lead_document_number)] + [
            (g.name, g.date_of_birth, g.document_number) for g in booking.other_guests.all()]
        return [{"name": name, "date_of_birth": born.isoformat() if born else None, "document_number": doc}
                for name, born, doc in people]


class BookingSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    kind = serializers.CharField()
    title = serializers.CharField()
    check_in = serializers.DateField(allow_null=True)
    check_out = serializers.DateField(allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    points_redeemed = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    guests = GuestsOut(source="*", help_text="Who is travelling (empty names on bookings placed before "
                                              "guests were collected).")
    payment = serializers.SerializerMethodField()
    cancellation = serializers.SerializerMethodField(
        help_text="A cancellation pending at the supplier (partner hotels, flights, activities); null otherwise.")

    @extend_schema_field(PaymentSerializer)
    def get_payment(self, booking: Booking) -> dict:
        # context "invoice": the one the caller holds for this booking (placing), not read again
        return PaymentSerializer(payment_instructions(booking=booking, **self.context.get("held", {}))).data

    @extend_schema_field(CancellationSerializer(allow_null=True))
    def get_cancellation(self, booking: Booking) -> dict | None:
        pending = pending_cancellation(booking=booking)
        return CancellationSerializer(pending).data if pending else None


class BookingEventSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="A dotted name, e.g. booking.placed.")
    summary = serializers.SerializerMethodField(help_text="What happened, in words, e.g. \"Payment received\".")
    at = serializers.DateTimeField(source="created_at")
    by = serializers.CharField(source="actor_label")
    status = serializers.CharField(source="status_to")
    data = serializers.JSONField()

    def get_summary(self, event) -> str:
        return event_phrase(event.action)


class BookingDetailSerializer(BookingSerializer):
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(BookingEventSerializer(many=True))
    def get_timeline(self, booking: Booking) -> list:
        return BookingEventSerializer(booking_timeline(booking=booking), many=True).data


class BookingListSerializer(serializers.Serializer):
    bookings = BookingSerializer(many=True)
