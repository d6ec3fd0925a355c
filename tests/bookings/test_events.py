"""The event log is append-only, transitions follow the state machine, and the replay command
finds bookings whose status disagrees with their events."""
import pytest
from django.core.management import call_command
from django.db import transaction

from bookings import events
from bookings.models import Booking, BookingEvent
from bookings.states import IllegalTransition
from tests.bookings.conftest import stay_booking

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    event = booking.events.get()
    event.action = "booking.tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(ValueError, match="append-only"):
        BookingEvent.objects.filter(booking=booking).update(action="x")
    with pytest.raises(ValueError, match="append-only"):
        BookingEvent.objects.filter(booking=booking).delete()
    assert BookingEvent.objects.get(pk=event.pk).action == "booking.placed"


def test_an_illegal_transition_is_refused_and_leaves_nothing(traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    with pytest.raises(IllegalTransition):
        with transaction.atomic():
            events.transition(booking=booking, to=Booking.Status.COMPLETED, action="booking.completed")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert booking.events.count() == 1


def test_replay_agrees_with_good_bookings_and_reports_a_tampered_one(traveller, room, capsys):
    good = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    bad = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    with transaction.atomic():
        events.transition(booking=good, to=Booking.Status.PAYMENT_CONFIRMED, action="booking.payment.settled")
        events.transition(booking=good, to=Booking.Status.CONFIRMED, action="booking.confirmed")
    call_command("bookings_replay")
    assert "checked 2 bookings, 0 disagree" in capsys.readouterr().out

    Booking.objects.filter(pk=bad.pk).update(status=Booking.Status.CONFIRMED)  # written around the services
    with pytest.raises(SystemExit):
        call_command("bookings_replay")
    out = capsys.readouterr().out
    assert f"{bad.reference}: stored status confirmed, events say pending" in out
    assert good.reference not in out
