"""Reviews fixtures: the public-site hotel, a traveller with a completed stay there, and a way to
make more stays in any state."""
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import BookingFactory, UserFactory
from tests.travel.site_fixtures import world  # noqa: F401 - fixture

_refs = itertools.count(1)


def stay(*, user, hotel, status="completed", lead_name="Nadia Rahman", weeks_ago=2):
    """A booking of ``user`` at ``hotel`` in ``status`` (completed: checked out before today)."""
    check_in = timezone.localdate() - timedelta(weeks=weeks_ago)
    return BookingFactory(reference=f"LT-RV{next(_refs):05d}", user=user, property=hotel, status=status,
                          room_type=hotel.room_types.first(), title="Deluxe Room, 2 nights", check_in=check_in,
                          check_out=check_in + timedelta(days=2), lead_name=lead_name)


@pytest.fixture
def traveller(db):
    return UserFactory(username="nadia")


@pytest.fixture
def completed_stay(world, traveller):
    return stay(user=traveller, hotel=world.hotel)


@pytest.fixture
def signed_in(client, traveller):
    client.force_login(traveller)
    return client
