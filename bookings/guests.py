"""Who is travelling: the details a traveller gives when placing a booking, as one typed value.

``GuestDetails`` is what the checkout form and the API parse into; ``bookings.services.guests``
records it on the booking inside the placement transaction. Checks that need only the value
itself (a readable phone number, non-empty names) live here so that the form and the API say
the same thing; the count of guests is checked against the booking when it is recorded.
"""
from dataclasses import dataclass, field
from datetime import date, time

import phonenumbers
from django.core.exceptions import ValidationError

MAX_NAME = 150
MAX_REQUESTS = 1000
PHONE_HELP = "Enter the phone number with its country code, e.g. +44 20 7946 0958."


@dataclass(frozen=True)
class Person:
    """One traveller. Flights also need the date of birth, and the document number when the
    supplier's offer asks for it (``document_required``)."""

    name: str
    date_of_birth: date | None = None
    document_number: str = ""


@dataclass(frozen=True)
class GuestDetails:
    lead_name: str
    lead_email: str
    lead_phone: str  # E.164
    others: tuple[Person, ...] = field(default_factory=tuple)
    arrival_time: time | None = None
    special_requests: str = ""
    lead_date_of_birth: date | None = None
    lead_document_number: str = ""

    @property
    def count(self) -> int:
        return 1 + len(self.others)

    @property
    def people(self) -> list[Person]:
        return [Person(self.lead_name, self.lead_date_of_birth, self.lead_document_number), *self.others]


def passenger_problem(*, people: list[Person], document_required: bool, today: date) -> str:
    """What a flight's passengers lack (every date of birth, in the past; a document number when
    the supplier asks), or "" when they are complete."""
    for n, person in enumerate(people, start=1):
        if person.date_of_birth is None:
            return f"Enter the date of birth of passenger {n} ({person.name}): the airline needs it."
        if person.date_of_birth >= today or person.date_of_birth.year < 1900:
            return f"The date of birth of passenger {n} ({person.name}) cannot be in the future."
        if document_required and not person.document_number:
            return f"Enter the passport or ID number of passenger {n} ({person.name}): this airline asks for it."
    return ""


def document_number(value: str) -> str:
    """A passport or ID number: letters and digits (spaces and dashes dropped), 5 to 20 of them."""
    text = "".join(ch for ch in str(value or "").upper() if ch not in " -")
    if not text:
        return ""
    if not (5 <= len(text) <= 20 and text.isascii() and text.isalnum()):
        raise ValidationError("Enter the document number as printed: 5 to 20 letters and digits.",
                              code="document_number")
    return text


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
