"""The voucher's calendar entry (RFC 5545, written with the ``icalendar`` library).

A stay at one of our hotels runs from check-in time on the arrival day to check-out time on the
departure day, in the hotel's own time zone (a TZID with its VTIMEZONE, so a phone abroad shows
the right hour). A supplier booking without those times is an all-day event over its dates.
"""
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from bookings.models import Booking


def voucher_ics(booking: Booking, *, location: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Lotus Trails//Booking voucher//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.reference}@{urlparse(settings.SITE_URL).hostname or 'lotustrails'}")
    event.add("dtstamp", timezone.now())
    event.add("summary", booking.title)
    start, end = _span(booking)
    event.add("dtstart", start)
    event.add("dtend", end)
    if location:
        event.add("location", location)
    event.add("description", f"Booking {booking.reference}. {settings.SITE_URL.rstrip('/')}/bookings/{booking.reference}/")
    calendar.add_component(event)
    if booking.property_id:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _span(booking: Booking):
    check_in = booking.check_in or timezone.localdate()
    check_out = booking.check_out if booking.check_out and booking.check_out > check_in else None
    if booking.property_id:
        zone = ZoneInfo(booking.property.destination.timezone)
        start = datetime.combine(check_in, booking.property.check_in_time, tzinfo=zone)
        end = datetime.combine(check_out or check_in + timedelta(days=1), booking.property.check_out_time, tzinfo=zone)
        return start, end
    return check_in, check_out or check_in + timedelta(days=1)  # all day; DTEND is exclusive
