"""A hotel's page shows its guests' score, how many reviews and the newest ones with the hotel's
answers, says the same to search engines (``AggregateRating`` and ``Review`` in the Hotel
JSON-LD), and never serves a cached page without a review just posted or answered."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Avg, Count
from django.utils import timezone

from reviews.models import Review
from reviews.selectors import RECENT_REVIEWS
from reviews.services import review_answer, review_post
from tests.factories import UserFactory
from tests.reviews.conftest import stay
from tests.travel.page_parsing import parse

pytestmark = pytest.mark.django_db
HOTEL = "/hotels/saffron-test/"
SCORES = [10, 9, 9, 8, 6, 7, 9]  # mean 8.2857... -> 8.3


def reviewed(world, scores=SCORES):
    """One review per score, by a different guest each, the newest last."""
    reviews = []
    for n, score in enumerate(scores):
        guest = UserFactory(username=f"guest{n}")
        booking = stay(user=guest, hotel=world.hotel, lead_name=f"Guest{n} Traveller")
        reviews.append(review_post(user=guest, reference=booking.reference, score=score, text=f"Stay number {n}."))
        Review.objects.filter(pk=reviews[-1].pk).update(created_at=timezone.now() - timedelta(days=len(scores) - n))
    return reviews


def hotel_ld(response) -> dict:
    (document,) = parse(response).ld_of_type("Hotel")
    return document


def test_the_page_shows_score_count_and_the_newest_reviews_with_answers(client, world):
    reviews = reviewed(world)
    review_answer(review_id=reviews[-1].pk, staff=UserFactory(username="root", is_staff=True, is_superuser=True),
                  text="Thank you, Guest6!")

    html = client.get(HOTEL).content.decode()

    assert 'data-score="8.3"' in html and "Very good" in html and "7 reviews" in html
    shown = [f"Stay number {n}." for n in range(len(SCORES)) if f"Stay number {n}." in html]
    assert shown == [f"Stay number {n}." for n in range(len(SCORES) - RECENT_REVIEWS, len(SCORES))]
    assert html.index("Stay number 6.") < html.index("Stay number 5.")  # newest first
    assert "Guest6 T." in html and "Thank you, Guest6!" in html


def test_a_hotel_without_reviews_says_so_and_claims_no_rating(client, world):
    response = client.get(HOTEL)

    assert "No reviews yet" in response.content.decode()
    assert "aggregateRating" not in hotel_ld(response) and "review" not in hotel_ld(response)


@pytest.mark.parametrize("query", [False, True], ids=["undated", "dated"])
def test_the_json_ld_rating_equals_the_database(client, world, query):
    reviewed(world)
    mean_and_count = Review.objects.filter(property=world.hotel).aggregate(mean=Avg("score"), count=Count("pk"))

    document = hotel_ld(client.get(HOTEL, world.stay_query() if query else {}))

    rating = document["aggregateRating"]
    expected = Decimal(str(mean_and_count["mean"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert rating == {"@type": "AggregateRating", "ratingValue": float(expected),
                      "reviewCount": mean_and_count["count"], "bestRating": 10, "worstRating": 1}
    newest = Review.objects.filter(property=world.hotel).order_by("-created_at")[:RECENT_REVIEWS]
    assert [(r["author"]["name"], r["reviewRating"]["ratingValue"], r["reviewBody"], r["datePublished"])
            for r in document["review"]] == [(r.author_name, r.score, r.text, r.created_at.date().isoformat())
                                             for r in newest]
    assert all(r["@type"] == "Review" and r["reviewRating"]["bestRating"] == 10 for r in document["review"])


@pytest.mark.parametrize("query", [False, True], ids=["undated", "dated"])
def test_a_new_review_shows_at_once_on_a_page_that_was_cached(client, world, query,
                                                              django_capture_on_commit_callbacks):
    params = world.stay_query() if query else {}
    guest = UserFactory(username="latecomer")
    booking = stay(user=guest, hotel=world.hotel, lead_name="Late Comer")
    first = client.get(HOTEL, params)
    assert client.get(HOTEL, params)["X-Page-Cache"] == "hit", "the page must be cached for this test to mean anything"
    assert "Late C." not in first.content.decode()

    guest_client = type(client)()
    guest_client.force_login(guest)
    with django_capture_on_commit_callbacks(execute=True):  # what runs once the review commits
        posted = guest_client.post(f"/reviews/{booking.reference}/", {"score": "7", "text": "Loved the garden."})
    assert posted.status_code == 302

    after = client.get(HOTEL, params)
    assert after["X-Page-Cache"] == "miss"
    assert "Late C." in after.content.decode() and "Loved the garden." in after.content.decode()
    assert hotel_ld(after)["aggregateRating"]["reviewCount"] == 1
    assert client.get(HOTEL, params)["X-Page-Cache"] == "hit"  # and it is cached again


@pytest.mark.parametrize("query", [False, True], ids=["undated", "dated"])
def test_a_hotel_answer_shows_at_once_on_a_page_that_was_cached(client, world, query,
                                                               django_capture_on_commit_callbacks):
    params = world.stay_query() if query else {}
    (review,) = reviewed(world, scores=[8])
    staff = UserFactory(username="desk", is_staff=True)
    world.hotel.staff.add(staff)
    client.get(HOTEL, params)
    assert client.get(HOTEL, params)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        review_answer(review_id=review.pk, staff=staff, text="Come back for the full moon!")

    assert "Come back for the full moon!" in client.get(HOTEL, params).content.decode()


def test_another_hotels_review_does_not_empty_this_hotels_cache(client, world, django_capture_on_commit_callbacks):
    from tests.travel.site_fixtures import build_world

    other = build_world(slug="other-hotel", destination_slug="flores", name="Other Hotel", destination_name="Flores")
    client.get(HOTEL)
    with django_capture_on_commit_callbacks(execute=True):
        reviewed(other, scores=[5])

    assert client.get(HOTEL)["X-Page-Cache"] == "hit"


def test_control_without_the_token_renewed_the_cached_page_would_be_stale(client, world,
                                                                          django_capture_on_commit_callbacks):
    """The negative control of the freshness tests: the same post, with the after-commit renewal of
    the reviews token held back, leaves the undated page served stale from the cache."""
    guest = UserFactory(username="latecomer")
    booking = stay(user=guest, hotel=world.hotel, lead_name="Late Comer")
    client.get(HOTEL)

    with django_capture_on_commit_callbacks(execute=False):
        review_post(user=guest, reference=booking.reference, score=7, text="Loved the garden.")

    stale = client.get(HOTEL)
    assert stale["X-Page-Cache"] == "hit" and "Loved the garden." not in stale.content.decode()
