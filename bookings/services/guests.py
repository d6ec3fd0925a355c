"""Recording who is travelling on a booking, inside the placement transaction."""
from django.core.exceptions import ValidationError

from bookings.guests import GuestDetails
from bookings.models import Booking, BookingGuest


def guests_record(*, booking: Booking, guests: GuestDetails, expected: int | None) -> None:
    """Write the lead guest onto ``booking`` and the others as BookingGuest rows.

    Refuses (ValidationError, code "guests", so the whole placement rolls back) when the number
    of names differs from the number of guests the price was locked for."""
    if expected is not None and guests.count != expected:
        raise ValidationError(
            f"This booking is for {expected} guest{'s' if expected != 1 else ''}: give the lead guest and "
            f"{expected - 1} other name{'s' if expected != 2 else ''} (you gave {guests.count} in all).",
            code="guests")
    booking.lead_name, booking.lead_email, booking.lead_phone = guests.lead_name, guests.lead_email, guests.lead_phone
    booking.arrival_time, booking.special_requests = guests.arrival_time, guests.special_requests
    booking.guests = guests.count
    booking.save(update_fields=["lead_name", "lead_email", "lead_phone", "arrival_time", "special_requests",
                                "guests", "updated_at"])
    BookingGuest.objects.bulk_create(
        BookingGuest(booking=booking, position=i, name=name) for i, name in enumerate(guests.other_names, start=1))
