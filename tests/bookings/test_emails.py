"""What travellers are told by email: each message's content as they would read it, the
voucher's calendar file, and sending once per booking and kind (in-process, Django's locmem
outbox; tests/bookings/test_emails_worker.py runs the same through a real worker)."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from icalendar import Calendar

from bookings.emails.kinds import EmailKind
from bookings.guests import GuestDetails, Person
from bookings.models import Booking, SentEmail
from bookings.services.emails import booking_email_send
from bookings.services.guests import guests_record
from bookings.services.lifecycle import booking_on_payment
from core.models import OutboxMessage
from tests.bookings.conftest import confirmed_stay, stay_booking
from tests.factories import place_stay_through_api

pytestmark = pytest.mark.django_db

GUESTS = GuestDetails(lead_name="Ana Traveller", lead_email="ana@example.com", lead_phone="+442079460958",
                      others=(Person("Ben Traveller"),))


def _with_guests(booking: Booking) -> Booking:
    guests_record(booking=booking, guests=GUESTS, expected=2)
    return Booking.objects.get(pk=booking.pk)


def _placed_through_the_api(api, room) -> Booking:
    return Booking.objects.get(reference=place_stay_through_api(api, room, key="e-1"))


def _html(message: EmailMultiAlternatives) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_booking_received_tells_what_to_pay_with_a_link_that_opens_the_payment_page(api, room, traveller):
    booking = _placed_through_the_api(api, room)

    assert booking_email_send(reference=booking.reference, kind=EmailKind.RECEIVED) == "sent"

    [message] = mail.outbox
    assert message.to == ["ana@example.com", traveller.email]
    assert booking.reference in message.subject and "complete your payment" in message.subject
    text = message.body
    assert f"Reference: {booking.reference}" in text and "Ana Traveller, Guest 2 Traveller" in text
    assert f"{booking.check_in:%a %-d %b %Y} to {booking.check_out:%a %-d %b %Y}" in text
    assert "230.00 USD" in text and "Free cancellation until the end of" in text
    link = next(word for word in text.split() if "/pay/" in word)
    assert link.startswith("http") and f"/pay/{booking.reference}/?t=" in link
    assert f'href="{link.replace("&", "&amp;")}"' in _html(message)
    # the link opens the payment page without signing in
    page = Client().get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and booking.reference in page.content.decode()


def test_the_voucher_has_the_hotel_the_times_the_guests_the_terms_and_a_calendar_file(traveller):
    booking = _with_guests(confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=10, nights=3))
    hotel = booking.property
    hotel.street_address, hotel.locality, hotel.phone = "12 Sukhumvit Road", "Bangkok", "+66 2 123 4567"
    hotel.check_in_time, hotel.check_out_time = time(15, 0), time(11, 0)
    hotel.save()

    assert booking_email_send(reference=booking.reference, kind=EmailKind.CONFIRMED) == "sent"

    [message] = mail.outbox
    text = message.body
    for expected in (booking.reference, hotel.name, "12 Sukhumvit Road", "Phone: +66 2 123 4567",
                     "Check-in: from 15:00", "Check-out: until 11:00", "Ana Traveller, Ben Traveller",
                     "230.00 USD", "Cancellation: Free cancellation until the end of Mon 16 Mar 2026 (the hotel's date)"):
        assert expected in text, (expected, text)
    assert "12 Sukhumvit Road" in _html(message)
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"booking-{booking.reference}.ics" and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    bangkok = ZoneInfo("Asia/Bangkok")
    assert event.decoded("dtstart") == datetime(2026, 3, 18, 15, 0, tzinfo=bangkok)
    assert event.decoded("dtend") == datetime(2026, 3, 21, 11, 0, tzinfo=bangkok)
    assert event["dtstart"].params["TZID"] == "Asia/Bangkok"
    assert booking.reference in str(event["uid"]) and "12 Sukhumvit Road" in str(event["location"])
    assert Calendar.from_ical(content).walk("VTIMEZONE"), "the time zone travels with the file"


def test_a_supplier_booking_voucher_is_an_all_day_event_over_its_dates(traveller, hotel_offer):
    from tests.bookings.conftest import supplier_booking

    booking = supplier_booking(user=traveller, offer=hotel_offer)
    booking.check_in, booking.check_out = date(2026, 5, 1), date(2026, 5, 3)
    booking.save()

    booking_email_send(reference=booking.reference, kind=EmailKind.CONFIRMED)

    event = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (date(2026, 5, 1), date(2026, 5, 3))


def test_each_email_is_sent_once_however_often_it_is_asked_for(traveller, room):
    booking = _with_guests(stay_booking(user=traveller, room_type=room[0], rate_plan=room[1]))

    results = [booking_email_send(reference=booking.reference, kind=EmailKind.RECEIVED) for _ in range(3)]

    assert results == ["sent", "already sent", "already sent"] and len(mail.outbox) == 1
    assert SentEmail.objects.get(booking=booking).kind == "received"


def test_a_send_that_fails_claims_nothing_so_the_retry_sends_it(traveller, room, monkeypatch):
    booking = _with_guests(stay_booking(user=traveller, room_type=room[0], rate_plan=room[1]))
    real_send = EmailMultiAlternatives.send

    def mail_server_down(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", mail_server_down)
    with pytest.raises(ConnectionRefusedError):
        booking_email_send(reference=booking.reference, kind=EmailKind.RECEIVED)
    assert not SentEmail.objects.exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert booking_email_send(reference=booking.reference, kind=EmailKind.RECEIVED) == "sent"
    assert len(mail.outbox) == 1


def _queued_kinds(reference):
    return [m.payload["kwargs"]["kind"] for m in OutboxMessage.objects.filter(
        topic="task:bookings.send_email", key=reference).order_by("id")]


def test_payment_news_queues_the_traveller_emails_it_means(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])

    booking_on_payment(topic="payment.partial", payload={"reference": booking.reference}, message_id=1)
    booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=2)
    booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=3)  # again

    assert _queued_kinds(booking.reference) == ["payment_partial", "payment_received"]
    assert OutboxMessage.objects.filter(topic="booking.confirmed", key=booking.reference).count() == 1


def test_a_late_payment_is_not_told_as_received(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    booking_on_payment(topic="payment.expired", payload={"reference": booking.reference}, message_id=1)

    booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=2)

    assert _queued_kinds(booking.reference) == []  # expiry is told by booking.expired's subscriber


def test_the_expired_cancelled_and_refunded_emails_say_what_happened(traveller, room):
    booking = _with_guests(stay_booking(user=traveller, room_type=room[0], rate_plan=room[1]))
    booking_on_payment(topic="payment.expired", payload={"reference": booking.reference}, message_id=1)
    booking_email_send(reference=booking.reference, kind=EmailKind.PAYMENT_EXPIRED)
    assert "has expired: the payment did not arrive in time" in mail.outbox[-1].body

    cancelled = _with_guests(stay_booking(user=traveller, room_type=room[0], rate_plan=room[1]))
    client = Client()
    client.force_login(traveller)
    client.post(f"/bookings/{cancelled.reference}/cancel/", {})
    booking_email_send(reference=cancelled.reference, kind=EmailKind.CANCELLED)
    assert "is cancelled" in mail.outbox[-1].body and "No refund is due" in mail.outbox[-1].body
