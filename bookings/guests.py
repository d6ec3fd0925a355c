"""Who is travelling: the details a traveller gives when placing a booking, as one typed value.

``GuestDetails`` is what the checkout form and the API parse into; ``bookings.services.guests``
records it on the booking inside the placement transaction. Checks that need only the value
itself (a readable phone number, non-empty names) live here so that the form and the API say
the same thing; the count of guests is checked against the booking when it is recorded.
"""
from dataclasses import dataclass, field
from datetime import time

import phonenumbers
from django.core.exceptions import ValidationError

MAX_NAME = 150
MAX_REQUESTS = 1000
PHONE_HELP = "Enter the phone number with its country code, e.g. +44 20 7946 0958."


@dataclass(frozen=True)
class GuestDetails:
    lead_name: str
    lead_email: str
    lead_phone: str  # E.164
    other_names: tuple[str, ...] = field(default_factory=tuple)
    arrival_time: time | None = None
    special_requests: str = ""

    @property
    def count(self) -> int:
        return 1 + len(self.other_names)

    @property
    def names(self) -> list[str]:
        return [self.lead_name, *self.other_names]


def phone_e164(value: str) -> str:
    """``value`` as an E.164 number (+ and digits); ValidationError(code="lead_phone") when it is
    not a possible number with a country code. phonenumbers knows every country's lengths."""
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_HELP, code="lead_phone") from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(PHONE_HELP, code="lead_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """An E.164 number written the international way (+44 20 7946 0958) for people to read."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(value, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return value


def guest_name(value: str) -> str:
    """A name as given, with its spaces tidied; ValidationError when nothing is left."""
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError("Enter each guest's full name.", code="name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"A name may have at most {MAX_NAME} characters.", code="name")
    return name


def expected_guests(*, kind: str, stay: dict, offer_details: dict) -> int | None:
    """How many people the booking is for: the stay's guests, or the supplier offer's guests,
    passengers or participants; None when the offer does not say."""
    if kind == "stay":
        return int(stay["guests"])
    for name in ("guests", "passengers", "participants"):
        try:
            value = int(offer_details.get(name) or 0)
        except (TypeError, ValueError):
            continue
        if value > 0:
            return value
    return None
