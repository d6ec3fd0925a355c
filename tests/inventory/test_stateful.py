"""Reserve/release/adjust against a simple model of what a hotel's calendar should say."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from inventory.errors import SoldOut, VersionConflict
from inventory.models import Hold, RoomNight
from inventory.services import inventory_adjust, inventory_release, inventory_reserve
from inventory.stays import Stay
from tests.factories import sellable_room_type

DAYS = 6


class Calendar(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.room_type, _, _ = sellable_room_type(total=3, days=DAYS + 1)
        self.today = timezone.localdate()
        self.total = {d: 3 for d in range(DAYS + 1)}
        self.stop = {d: False for d in range(DAYS + 1)}
        self.holds: list[tuple[Hold, int, int, int]] = []  # hold, first day, nights, rooms
        self.released: list[Hold] = []

    def sold(self, day: int) -> int:
        return sum(rooms for _h, first, nights, rooms in self.holds if first <= day < first + nights)

    @rule(first=st.integers(0, DAYS - 1), nights=st.integers(1, 3), rooms=st.integers(1, 3))
    def reserve(self, first, nights, rooms):
        nights = min(nights, DAYS - first)
        days = range(first, first + nights)
        expected = all(not self.stop[d] and self.total[d] - self.sold(d) >= rooms for d in days)
        stay = Stay(self.today + timedelta(days=first), self.today + timedelta(days=first + nights),
                    rooms=rooms, guests=rooms)
        try:
            hold = inventory_reserve(room_type=self.room_type, stay=stay, source="model")
        except SoldOut:
            assert not expected
            return
        assert expected
        self.holds.append((hold, first, nights, rooms))

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def release(self, data):
        index = data.draw(st.integers(0, len(self.holds) - 1))
        hold = self.holds.pop(index)[0]
        assert inventory_release(hold=hold) is True
        self.released.append(hold)

    @precondition(lambda self: self.released)
    @rule(data=st.data())
    def release_again(self, data):
        hold = data.draw(st.sampled_from(self.released))
        assert inventory_release(hold=hold) is False

    @rule(day=st.integers(0, DAYS - 1), total=st.integers(0, 5), stop=st.booleans(), stale=st.booleans())
    def adjust(self, day, total, stop, stale):
        night = RoomNight.objects.get(room_type=self.room_type, date=self.today + timedelta(days=day))
        version = night.version - 1 if stale else night.version
        try:
            inventory_adjust(room_type=self.room_type, night=night.date, version=version, total=total, stop_sell=stop)
        except VersionConflict:
            assert stale
            return
        except ValidationError:
            assert not stale and total < self.sold(day)
            return
        assert not stale and total >= self.sold(day)
        self.total[day], self.stop[day] = total, stop

    @invariant()
    def database_matches_the_model(self):
        rows = RoomNight.objects.filter(room_type=self.room_type, date__lt=self.today + timedelta(days=DAYS))
        for night in rows:
            day = (night.date - self.today).days
            assert (night.total, night.available, night.stop_sell) == (
                self.total[day], self.total[day] - self.sold(day), self.stop[day])


Calendar.TestCase.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
def test_reserve_release_adjust_agree_with_the_model():
    Calendar.TestCase().runTest()
