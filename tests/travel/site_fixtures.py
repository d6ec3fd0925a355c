"""Data for the public-site tests: one destination with a sellable hotel (two room types,
two rate plans, 30 nights from today), its amenities and photos."""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalogue.models import Amenity, PropertyPhoto, RoomType
from inventory.models import Rate, RatePlan, RoomNight
from tests.factories import DestinationFactory, PropertyFactory, RoomTypeFactory, sellable_room_type


@dataclass
class World:
    destination: object
    hotel: object
    deluxe: RoomType
    suite: RoomType
    flexible: RatePlan
    saver: RatePlan

    def stay_query(self, *, offset=5, nights=3, guests=2, rooms=1) -> dict:
        check_in = timezone.localdate() + timedelta(days=offset)
        return {"check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=nights)).isoformat(),
                "guests": str(guests), "rooms": str(rooms)}


def build_world(*, slug="saffron-test", destination_slug="lombok", name="Saffron Test Lombok",
                destination_name="Lombok") -> World:
    destination = DestinationFactory(name=destination_name, slug=destination_slug, country="Indonesia", country_code="ID",
                                     summary="Quiet beaches and Mount Rinjani, a short hop from Bali.",
                                     latitude=Decimal("-8.583000"), longitude=Decimal("116.116000"))  # Mataram
    hotel = PropertyFactory(
        destination=destination, name=name, slug=slug, star_rating=5,
        summary=f"{name}: a 5-star beach hotel with a pool and a spa.",
        description="Rooms open onto the sea; breakfast is cooked to order.",
        street_address="Jl. Raya Senggigi 1", locality="Senggigi", region="Lombok", postal_code="83355",
        country_code="ID", latitude=Decimal("-8.491000"), longitude=Decimal("116.045000"), phone="+62 370 000",
        tax_percent=Decimal("11.00"), fee_per_night=Decimal("3.50"),
    )
    pool, _ = Amenity.objects.get_or_create(code="pool", defaults={"name": "Outdoor pool"})
    spa, _ = Amenity.objects.get_or_create(code="spa", defaults={"name": "Spa"})
    hotel.amenities.set([pool, spa])
    for position in range(2):
        PropertyPhoto.objects.create(property=hotel, url=f"/static/img/hotels/photo-{position + 1}.svg",
                                     alt=f"View {position + 1}", position=position)
    deluxe = RoomTypeFactory(property=hotel, code="deluxe", name="Deluxe Room", max_occupancy=2, bed="King")
    deluxe, flexible, saver = sellable_room_type(room_type=deluxe, double="123.45")
    suite = RoomTypeFactory(property=hotel, code="suite", name="Suite", max_occupancy=4, size_sqm=70)
    start = timezone.localdate()
    dates = [start + timedelta(days=i) for i in range(30)]
    RoomNight.objects.bulk_create(RoomNight(room_type=suite, date=d, total=2, available=2) for d in dates)
    for plan, price in ((flexible, Decimal("250.10")), (saver, Decimal("219.99"))):
        Rate.objects.bulk_create(Rate(room_type=suite, rate_plan=plan, date=d, double=price, single=price - 10,
                                      extra_guest=Decimal("33.33")) for d in dates)
    return World(destination=destination, hotel=hotel, deluxe=deluxe, suite=suite, flexible=flexible, saver=saver)


@pytest.fixture
def world(db) -> World:
    return build_world()
