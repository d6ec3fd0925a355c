"""Recording who is travelling on a booking, inside the placement transaction."""
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.guests import GuestDetails, passenger_problem
from bookings.models import Booking, BookingGuest
from core.inserts import insert_rows


def guests_record(*, booking: Booking, guests: GuestDetails, expected: int | None,
                  document_required: bool = False) -> None:
    """Write the lead guest onto ``booking`` and the others as BookingGuest rows.

    Refuses (ValidationError, code "guests", so the whole placement rolls back) when the number
    of names differs from the number of guests the price was locked for, or, for a flight, when a
    passenger lacks a date of birth (or the document number the supplier asks for)."""
    guests_apply(booking=booking, guests=guests, expected=expected, document_required=document_required)
    booking.save(update_fields=["lead_name", "lead_email", "lead_phone", "arrival_time", "special_requests",
                                "lead_date_of_birth", "lead_document_number", "guests", "updated_at"])
    other_guests_create(booking=booking, guests=guests)


def guests_apply(*, booking: Booking, guests: GuestDetails, expected: int | None,
                 document_required: bool = False) -> None:
    """Check ``guests`` as ``guests_record`` does and set the lead guest on ``booking`` without
    saving it: placing does this before the booking's first INSERT (one write fewer), then calls
    ``other_guests_create``."""
    if booking.kind == Booking.Kind.FLIGHT:
        problem = passenger_problem(people=guests.people, document_required=document_required,
                                    today=timezone.localdate())
        if problem:
            raise ValidationError(problem, code="guests")
    if expected is not None and guests.count != expected:
        raise ValidationError(
            f"This booking is for {expected} guest{'s' if expected != 1 else ''}: give the lead guest and "
            f"{expected - 1} other name{'s' if expected != 2 else ''} (you gave {guests.count} in all).",
            code="guests")
    booking.lead_name, booking.lead_email, booking.lead_phone = guests.lead_name, guests.lead_email, guests.lead_phone
    booking.arrival_time, booking.special_requests = guests.arrival_time, guests.special_requests
    booking.lead_date_of_birth, booking.lead_document_number = guests.lead_date_of_birth, guests.lead_document_number
    booking.guests = guests.count


def other_guests_create(*, booking: Booking, guests: GuestDetails) -> None:
    """The guests other than the lead, as BookingGuest rows of a saved ``booking`` (none: no query).
    ``booking.other_guests.all()`` then answers from the rows written, without reading them back."""
    rows = [BookingGuest(booking=booking, position=i, name=person.name, date_of_birth=person.date_of_birth,
                         document_number=person.document_number)
            for i, person in enumerate(guests.others, start=1)]
    insert_rows(rows)  # one INSERT, built once per number of guests (core/inserts.py)
    _remember_other_guests(booking, rows)


def _remember_other_guests(booking: Booking, rows: list[BookingGuest]) -> None:
    """Fill the related manager's prefetch cache, as ``prefetch_related("other_guests")`` would."""
    written = booking.other_guests.all()
    written._result_cache, written._prefetch_done = rows, True
    booking._prefetched_objects_cache = {**getattr(booking, "_prefetched_objects_cache", {}), "other_guests": written}
