"""core.reads.get_along reads what ``select_related(path).get(pk=…)`` reads, in one statement."""
from datetime import time
from decimal import Decimal

import pytest

from catalogue.models import Destination, Property, RoomType
from core.reads import get_along

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_type():
    destination = Destination.objects.create(
        name="Hoi An", slug="hoi-an-reads", country="Vietnam", country_code="VN", latitude=Decimal("15.88"),
        longitude=Decimal("108.335"), timezone="Asia/Ho_Chi_Minh")
    hotel = Property.objects.create(
        destination=destination, name="River Lantern", slug="river-lantern-reads", star_rating=4,
        latitude=Decimal("15.877"), longitude=Decimal("108.33"), country_code="VN", currency="USD",
        tax_percent=Decimal("8.5"), fee_per_night=Decimal("2"), check_in_time=time(15, 30))
    return RoomType.objects.create(property=hotel, code="DLX", name="Deluxe", max_occupancy=2)


def _values(obj) -> dict:
    """Every concrete field's value and its type, as it was loaded (Decimal('8.50') is not Decimal('8.5'))."""
    return {f.attname: repr(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def test_a_row_and_the_rows_it_leads_to_read_as_the_orm_reads_them(room_type, django_assert_num_queries):
    by_orm = RoomType.objects.select_related("property__destination").get(pk=room_type.pk)

    with django_assert_num_queries(1):
        read = get_along(RoomType, room_type.pk, "property__destination")
        hotel, destination = read.property, read.property.destination  # cached on the way: no more reads

    assert _values(read) == _values(by_orm)
    assert _values(hotel) == _values(by_orm.property)
    assert _values(destination) == _values(by_orm.property.destination)
    assert hotel.local_today() == by_orm.property.local_today()
    assert not read._state.adding and read._state.db == by_orm._state.db


def test_a_null_foreign_key_on_the_path_reads_as_none(room_type, django_assert_num_queries):
    assert room_type.picture_id is None
    with django_assert_num_queries(1):
        read = get_along(RoomType, room_type.pk, "picture")
        assert read.picture is None


def test_a_missing_row_raises_does_not_exist_and_a_path_off_the_foreign_keys_is_refused(room_type):
    with pytest.raises(RoomType.DoesNotExist):
        get_along(RoomType, room_type.pk + 1000, "property")
    with pytest.raises(ValueError, match="not a foreign key"):
        get_along(RoomType, room_type.pk, "name")


def test_a_row_read_by_another_unique_field_reads_as_the_orm_reads_it(room_type, django_assert_num_queries):
    by_orm = Property.objects.select_related("destination").get(slug="river-lantern-reads")

    with django_assert_num_queries(1):
        read = get_along(Property, "river-lantern-reads", "destination", by="slug")
        destination = read.destination

    assert _values(read) == _values(by_orm) and _values(destination) == _values(by_orm.destination)
    with pytest.raises(Property.DoesNotExist):
        get_along(Property, "no-such-hotel", by="slug")
    with pytest.raises(ValueError, match="not unique"):  # it would have to pick one of several rows
        get_along(Property, "River Lantern", by="name")
