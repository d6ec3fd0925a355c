"""The hotel a benchmark books into: one room type with a flexible plan and plenty of rooms on
every night (nothing sells out: the benchmarks measure the path, not running out of rooms); and
its travellers, started with no pending booking."""
from datetime import timedelta
from decimal import Decimal


def bench_hotel(*, slug: str, name: str, rooms: int, days: int = 60):
    """Create (or find) the hotel ``slug`` with ``rooms`` rooms and a rate on each of the next
    ``days`` nights; returns (property, room type, rate plan, the hotel's today)."""
    from catalogue.models import Destination, Property, RoomType
    from inventory.models import Rate, RatePlan, RoomNight

    dest, _ = Destination.objects.get_or_create(slug=f"{slug}-land", defaults={
        "name": f"{name} Land", "country": "Thailand", "country_code": "TH", "summary": "Bench.",
        "latitude": Decimal("13.7"), "longitude": Decimal("100.5")})
    prop, _ = Property.objects.get_or_create(slug=f"{slug}-hotel", defaults={
        "destination": dest, "name": f"{name} Hotel", "star_rating": 4, "summary": "Bench.",
        "street_address": "1 Bench Road", "locality": "Bangkok", "country_code": "TH",
        "latitude": Decimal("13.7"), "longitude": Decimal("100.5"), "tax_percent": Decimal("10"),
        "fee_per_night": Decimal("5")})
    room_type, _ = RoomType.objects.get_or_create(property=prop, code=slug, defaults={"name": f"{name} Room",
                                                                                      "max_occupancy": 3})
    plan, _ = RatePlan.objects.get_or_create(property=prop, code="flex", defaults={"name": "Flexible"})
    today = prop.local_today()
    for d in (today + timedelta(days=i) for i in range(days)):
        RoomNight.objects.update_or_create(room_type=room_type, date=d, defaults={"total": rooms, "available": rooms})
        Rate.objects.get_or_create(room_type=room_type, rate_plan=plan, date=d,
                                   defaults={"single": Decimal("90"), "double": Decimal("100")})
    return prop, room_type, plan, today


def expire_pending(user_ids) -> None:
    """The travellers' earlier placements expired: placing counts a traveller's pending bookings
    (the caps), so without this each run, scenario or round would cost more than the one before."""
    from bookings.models import Booking

    Booking.objects.filter(user_id__in=list(user_ids), status=Booking.Status.PENDING).update(
        status=Booking.Status.EXPIRED)
