"""Staff fixtures: a hotel with a guest in every situation, and a second hotel beside it."""
from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Booking, BookingGuest, ReviewItem
from channels.models import Channel, ChannelBooking
from tests.factories import BookingFactory, sellable_room_type

S = Booking.Status


def stay(room_type, name, *, arrive, nights, status=S.CONFIRMED, total="300.00"):
    return BookingFactory(property=room_type.property, room_type=room_type, title=f"Stay of {name}",
                          check_in=arrive, check_out=arrive + timedelta(days=nights), status=status, lead_name=name,
                          lead_email=f"{name.split()[0].lower()}@example.com", lead_phone="+442079460958",
                          total=Decimal(total), subtotal=Decimal(total))


@pytest.fixture
def world():
    """Hotel Alpha with one guest in every situation, and hotel Bravo with guests on the same days."""
    alpha, _, _ = sellable_room_type(days=40, total=4)
    bravo, _, _ = sellable_room_type(days=40, total=4)
    today = alpha.property.local_today()
    tomorrow = today + timedelta(days=1)
    ota = Channel.objects.create(code="agoda", name="Agoda")
    guests = {
        "arriving": stay(alpha, "Ana Arrive", arrive=today, nights=2),
        "arriving tomorrow": stay(alpha, "Tom Tomorrow", arrive=tomorrow, nights=3),
        "leaving": stay(alpha, "Lea Leave", arrive=today - timedelta(days=2), nights=2),
        "leaving tomorrow": stay(alpha, "Leo Later", arrive=today - timedelta(days=1), nights=2),
        "in house": stay(alpha, "Ines House", arrive=today - timedelta(days=3), nights=6),
    }
    BookingGuest.objects.create(booking=guests["in house"], position=1, name="Ivo House")
    ChannelBooking.objects.create(
        channel=ota, reservation_id="AG-1", confirmation="LTC-1", property=alpha.property, room_type=alpha,
        status=ChannelBooking.Status.HELD, check_in=today, check_out=today + timedelta(days=1),
        guest_name="Otto Channel", guest_email="otto@example.com", total=Decimal("100.00"), currency="USD")
    # not guests: unpaid, cancelled, expired; and a cancelled channel reservation
    stay(alpha, "Pat Pending", arrive=today, nights=1, status=S.PENDING)
    stay(alpha, "Cara Cancelled", arrive=today, nights=1, status=S.CANCELLED)
    stay(alpha, "Exa Expired", arrive=tomorrow, nights=1, status=S.EXPIRED)
    ChannelBooking.objects.create(
        channel=ota, reservation_id="AG-2", confirmation="LTC-2", property=alpha.property, room_type=alpha,
        status=ChannelBooking.Status.CANCELLED, check_in=today, check_out=tomorrow, guest_name="Cancelled Otto")
    # another hotel's guests on the very same days
    stay(bravo, "Bruno Bravo", arrive=today, nights=2)
    stay(bravo, "Bea Bravo", arrive=today - timedelta(days=3), nights=6)
    ReviewItem.objects.create(booking=guests["arriving"], reason=ReviewItem.Reason.LATE_PAYMENT)
    ReviewItem.objects.create(booking=Booking.objects.get(lead_name="Bruno Bravo"), reason=ReviewItem.Reason.OTHER)
    return alpha, bravo, today
