import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalogue.models import Destination, Property, RoomType
from channels.models import Channel
from inventory.models import Rate, RoomNight


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_seed_creates_the_demo_world(seeded):
    assert Destination.objects.count() >= 4
    assert Property.objects.count() >= 12
    assert Channel.objects.filter(is_active=True).count() == 6
    room_type = RoomType.objects.first()
    assert RoomNight.objects.filter(room_type=room_type).count() == 365
    assert Rate.objects.filter(room_type=room_type).count() == 365 * 2
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.filter(username="traveller").exists()
    for prop in Property.objects.all():
        assert prop.staff.filter(is_staff=True, is_superuser=False).count() == 1


def test_seed_twice_changes_nothing_that_exists(seeded):
    night = RoomNight.objects.order_by("id").first()
    RoomNight.objects.filter(pk=night.pk).update(available=night.total - 1, version=night.version + 1)
    counts = [m.objects.count() for m in (Destination, Property, RoomType, RoomNight, Rate, Channel)]

    call_command("seed_demo", verbosity=0)

    assert [m.objects.count() for m in (Destination, Property, RoomType, RoomNight, Rate, Channel)] == counts
    night.refresh_from_db()
    assert night.available == night.total - 1, "a sold room-night must not be reset by seeding"


def test_the_demo_traveller_can_lock_and_book_a_stay_right_away(seeded, client):
    """The front desk's demo guests are not the traveller's: nothing holds them at the pending cap."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import guests_body

    room_type = RoomType.objects.order_by("pk").first()
    plan = room_type.property.rate_plans.order_by("pk").first()
    check_in = timezone.localdate() + timedelta(days=40)
    assert client.login(username="traveller", password="traveller-demo-pass")

    lock = client.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room_type.pk, "rate_plan": plan.pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC"},
        content_type="application/json")
    assert lock.status_code == 201, lock.content
    placed = client.post("/api/bookings/", {"lock_id": lock.json()["lock_id"], "guests": guests_body()},
                         content_type="application/json", headers={"Idempotency-Key": "demo-first"})
    assert placed.status_code == 201, placed.content


def test_demo_users_can_sign_in(seeded, client):
    assert client.login(username="traveller", password="traveller-demo-pass")
    client.logout()
    assert client.login(username="admin", password="admin-demo-pass")
    assert client.get("/admin/").status_code == 200


def test_demo_hotel_staff_see_their_hotel_and_its_rooms_in_the_admin(seeded, client):
    prop = Property.objects.get(slug="saffron-lotus-seminyak")
    client.force_login(prop.staff.get())

    index = client.get("/admin/").content.decode()
    hotels = client.get("/admin/catalogue/property/").content.decode()

    assert "/admin/catalogue/property/" in index and "/admin/catalogue/roomtype/" in index
    assert prop.name in hotels
    others = Property.objects.exclude(pk=prop.pk)
    assert others.exists() and not any(other.name in hotels for other in others)
