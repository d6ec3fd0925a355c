"""Hotel staff answer their hotels' reviews in the admin, and only those (docs/staff.md). The
whole-admin walk in tests/core/test_admin_boundaries.py covers lists, filters, actions and
autocomplete; these are the answer itself."""
import pytest
from django.contrib.auth.models import Permission

from reviews.errors import NotYourStay
from reviews.models import Review
from reviews.services import review_answer, review_post
from tests.factories import UserFactory
from tests.reviews.conftest import stay
from tests.travel.site_fixtures import build_world

pytestmark = pytest.mark.django_db


def change_url(review) -> str:
    return f"/admin/reviews/review/{review.pk}/change/"


@pytest.fixture
def two_hotels(world):
    other = build_world(slug="other-hotel", destination_slug="flores", name="Other Hotel", destination_name="Flores")
    reviews = {}
    for name, hotel in (("ours", world.hotel), ("theirs", other.hotel)):
        guest = UserFactory(username=f"guest-{name}")
        booking = stay(user=guest, hotel=hotel)
        reviews[name] = review_post(user=guest, reference=booking.reference, score=6, text=f"The {name} stay.")
    desk = UserFactory(username="desk", is_staff=True)
    desk.user_permissions.set(Permission.objects.filter(content_type__app_label="reviews"))
    world.hotel.staff.add(desk)
    return {"desk": desk, **reviews}


def test_staff_answer_a_review_of_their_hotel_in_the_admin(client, two_hotels):
    client.force_login(two_hotels["desk"])
    review = two_hotels["ours"]

    listing = client.get("/admin/reviews/review/").content.decode()
    saved = client.post(change_url(review), {"answer": "  Thank you for the kind words.  ", "_save": "Save"})

    assert "The ours stay." in client.get(change_url(review)).content.decode()
    assert "Other Hotel" not in listing
    assert saved.status_code == 302
    review.refresh_from_db()
    assert review.answer == "Thank you for the kind words."
    assert review.answered_by == two_hotels["desk"] and review.answered_at is not None
    assert (review.score, review.text) == (6, "The ours stay."), "staff change only the answer"


def test_staff_cannot_change_the_score_or_text_through_the_form(client, two_hotels):
    client.force_login(two_hotels["desk"])
    review = two_hotels["ours"]

    client.post(change_url(review), {"answer": "Thanks", "score": "10", "text": "Perfect!", "_save": "Save"})

    review.refresh_from_db()
    assert (review.score, review.text, review.answer) == (6, "The ours stay.", "Thanks")


def test_an_answer_too_long_is_refused_with_a_message(client, two_hotels):
    client.force_login(two_hotels["desk"])

    answer = client.post(change_url(two_hotels["ours"]), {"answer": "x" * 2001, "_save": "Save"})

    assert answer.status_code == 200 and "at most 2000 characters" in answer.content.decode()
    assert Review.objects.get(pk=two_hotels["ours"].pk).answer == ""


def test_staff_cannot_see_or_answer_another_hotels_review(client, two_hotels):
    client.force_login(two_hotels["desk"])
    theirs = two_hotels["theirs"]

    assert client.get(change_url(theirs)).status_code in {302, 403, 404}
    client.post(change_url(theirs), {"answer": "Not our guest", "_save": "Save"})

    assert Review.objects.get(pk=theirs.pk).answer == ""
    with pytest.raises(NotYourStay):
        review_answer(review_id=theirs.pk, staff=two_hotels["desk"], text="Not our guest")
    assert Review.objects.get(pk=theirs.pk).answer == ""


def test_nobody_adds_or_deletes_a_review_in_the_admin(client, two_hotels):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    assert client.get("/admin/reviews/review/add/").status_code == 403
    client.post(f"/admin/reviews/review/{two_hotels['ours'].pk}/delete/", {"post": "yes"})

    assert Review.objects.count() == 2
