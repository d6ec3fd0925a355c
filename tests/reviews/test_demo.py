"""seed_demo gives every demo hotel a few reviews (one answered), leaves the demo traveller a
stay to review, lets hotel staff answer, and adds nothing when run again."""
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from bookings.models import Booking
from catalogue.models import Property
from reviews.models import Review

pytestmark = pytest.mark.django_db


def test_seed_demo_reviews_every_hotel_once_and_again_adds_nothing(client):
    call_command("seed_demo", verbosity=0)
    counts = (Review.objects.count(), Booking.objects.count(), Review.objects.exclude(answer="").count())

    call_command("seed_demo", verbosity=0)

    assert (Review.objects.count(), Booking.objects.count(), Review.objects.exclude(answer="").count()) == counts
    for prop in Property.objects.filter(is_active=True):
        assert prop.reviews.count() >= 2 and prop.reviews.exclude(answer="").count() == 1, prop.slug
    waiting = Booking.objects.get(reference="LT-RVW-TRAV")
    assert waiting.user.username == "traveller" and waiting.status == "completed"
    assert not Review.objects.filter(booking=waiting).exists()
    perms = set(Group.objects.get(name="Hotel staff").permissions.values_list("codename", flat=True))
    assert {"view_review", "change_review"} <= perms
    client.login(username="traveller", password="traveller-demo-pass")
    assert client.get("/reviews/LT-RVW-TRAV/").status_code == 200
