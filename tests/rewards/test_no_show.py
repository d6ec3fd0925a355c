"""booking.no_show through the outbox: the pending points are forfeited (never vest), points
redeemed at checkout are not given back, once each, in any order."""
from decimal import Decimal

import pytest

from rewards.models import BookingPoints, Entry
from rewards.services import points_hold
from tests.rewards.conftest import give_points, new_reference
from tests.rewards.test_events import state

pytestmark = pytest.mark.django_db


def no_show(events, user, reference, *, total="200.00", points_redeemed=0):
    return events.publish("booking.no_show", reference=reference, user_id=user.pk, kind="stay", property_id=1,
                          total=str(total), currency="USD", points_redeemed=points_redeemed,
                          check_in="2026-03-09", check_out="2026-03-11")


def test_a_no_show_forfeits_the_pending_points_once_and_a_later_completion_gives_nothing(events, traveller):
    ref = new_reference()
    events.confirmed(traveller, ref)
    assert state(traveller) == (0, 200, 0)

    no_show(events, traveller, ref)
    no_show(events, traveller, ref)  # redelivered
    events.completed(traveller, ref)

    assert state(traveller) == (0, 0, 0)
    entries = Entry.objects.filter(booking_reference=ref).order_by("id")
    assert [e.kind for e in entries] == ["earn", "forfeit"]
    assert entries[1].pending_delta == -200 and "no-show" in entries[1].note
    booking = BookingPoints.objects.get(reference=ref)
    assert (booking.earn_state, booking.ended_reason, booking.completed_at) == ("forfeited", "no_show", None)


def test_points_redeemed_at_checkout_are_not_given_back(events, traveller, staff):
    give_points(traveller, 4000, staff)
    ref = new_reference()
    points_hold(user=traveller, booking_reference=ref, amount=4000, fiat_total=Decimal("100.00"), currency="USD")
    events.placed(traveller, ref, total="60.00", points_redeemed=4000)
    events.confirmed(traveller, ref, total="60.00")
    assert state(traveller) == (0, 60, 0)

    no_show(events, traveller, ref, total="60.00", points_redeemed=4000)

    assert state(traveller) == (0, 0, 0)  # unlike a cancellation, the 4000 points stay spent
    assert not Entry.objects.filter(booking_reference=ref, kind=Entry.Kind.RELEASE).exists()


def test_a_no_show_before_the_confirmation_consumes_the_hold_and_earns_nothing(events, traveller, staff):
    give_points(traveller, 1000, staff)
    ref = new_reference()
    points_hold(user=traveller, booking_reference=ref, amount=1000, fiat_total=Decimal("50.00"), currency="USD")

    no_show(events, traveller, ref)
    events.confirmed(traveller, ref)
    events.completed(traveller, ref)

    assert state(traveller) == (0, 0, 0)
    kinds = list(Entry.objects.filter(booking_reference=ref).order_by("id").values_list("kind", flat=True))
    assert kinds == ["hold", "redeem"]


def test_a_no_show_does_not_count_towards_the_tier(events, traveller):
    ref = new_reference()
    events.confirmed(traveller, ref, total="1200.00")
    no_show(events, traveller, ref, total="1200.00")

    second = new_reference()
    events.confirmed(traveller, second, total="100.00")

    assert state(traveller) == (0, 100, 0)  # still Explorer's 1%, not Silver's 3%
