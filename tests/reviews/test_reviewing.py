"""A traveller reviews a completed stay once, on /reviews/<reference>/; everything else is
refused with a 4xx and a message, and nothing is written."""
import pytest
from django.db import IntegrityError, transaction

from reviews.errors import AlreadyReviewed
from reviews.models import TEXT_MAX, Review
from reviews.services import review_post
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.reviews.conftest import stay

pytestmark = pytest.mark.django_db
GOOD = {"score": "9", "text": "A calm room over the garden, and breakfast by the sea."}


def url(booking) -> str:
    return f"/reviews/{booking.reference}/"


def test_the_booking_page_of_a_completed_stay_links_to_its_review_form(signed_in, completed_stay, world, traveller):
    detail = signed_in.get(f"/bookings/{completed_stay.reference}/").content.decode()
    confirmed = stay(user=traveller, hotel=world.hotel, status="confirmed", weeks_ago=-2)
    upcoming = signed_in.get(f"/bookings/{confirmed.reference}/").content.decode()

    assert f'href="{url(completed_stay)}"' in detail
    assert "/reviews/" not in upcoming


def test_a_completed_stay_is_reviewed_once_and_the_review_shows_who_and_what(signed_in, completed_stay, world):
    form = signed_in.get(url(completed_stay))
    posted = signed_in.post(url(completed_stay), GOOD)

    assert form.status_code == 200 and 'name="score"' in form.content.decode()
    assert posted.status_code == 302 and posted["Location"] == url(completed_stay)
    review = Review.objects.get()
    assert (review.booking, review.property, review.score, review.author_name) == (
        completed_stay, world.hotel, 9, "Nadia R.")
    assert review.text == GOOD["text"]
    after = signed_in.get(url(completed_stay)).content.decode()
    assert "Your review" in after and GOOD["text"] in after and 'name="score"' not in after


def test_a_second_review_of_the_same_stay_is_refused(signed_in, completed_stay):
    signed_in.post(url(completed_stay), GOOD)

    again = signed_in.post(url(completed_stay), {"score": "2", "text": "Changed my mind."})

    assert again.status_code == 409
    assert "already reviewed" in again.content.decode()
    assert list(Review.objects.values_list("score", flat=True)) == [9]


def test_someone_elses_booking_is_a_404_with_a_message(client, completed_stay):
    client.force_login(UserFactory(username="mallory"))

    for answer in (client.get(url(completed_stay)), client.post(url(completed_stay), GOOD)):
        assert answer.status_code == 404
        assert "no booking of yours" in answer.content.decode()
    assert not Review.objects.exists()


def test_an_unknown_reference_is_a_404_and_signed_out_visitors_are_sent_to_sign_in(client, signed_in):
    assert signed_in.post("/reviews/LT-NOPE/", GOOD).status_code == 404
    signed_in.logout()
    assert client.post("/reviews/LT-NOPE/", GOOD).status_code == 302
    assert not Review.objects.exists()


@pytest.mark.parametrize("status", ["pending", "confirmed", "cancelled", "no_show", "expired"])
def test_a_stay_that_is_not_completed_cannot_be_reviewed(signed_in, world, traveller, status):
    booking = stay(user=traveller, hotel=world.hotel, status=status)

    answer = signed_in.post(url(booking), GOOD)

    assert answer.status_code == 409
    assert "once it is completed" in answer.content.decode()
    assert not Review.objects.exists()


def test_a_completed_supplier_booking_is_not_reviewed_here(signed_in, traveller):
    from tests.factories import BookingFactory

    flight = BookingFactory(user=traveller, kind="flight", status="completed", title="BKK to DPS")

    assert signed_in.post(url(flight), GOOD).status_code == 409
    assert not Review.objects.exists()


@pytest.mark.parametrize("data, message", [
    ({"score": "0", "text": "Fine."}, "Choose a score from 1 to 10."),
    ({"score": "11", "text": "Fine."}, "Choose a score from 1 to 10."),
    ({"score": "-3", "text": "Fine."}, "Choose a score from 1 to 10."),
    ({"score": "8.5", "text": "Fine."}, "Choose a score from 1 to 10."),
    ({"score": "ten", "text": "Fine."}, "Choose a score from 1 to 10."),
    ({"text": "Fine."}, "Choose a score from 1 to 10."),
    ({"score": "8", "text": ""}, "needs a few words"),
    ({"score": "8", "text": "   \n  "}, "needs a few words"),
    ({"score": "8", "text": "x" * (TEXT_MAX + 1)}, f"at most {TEXT_MAX}"),
])
def test_bad_input_is_a_400_with_the_reason_and_writes_nothing(signed_in, completed_stay, data, message):
    answer = signed_in.post(url(completed_stay), data)

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not Review.objects.exists()


def test_the_longest_text_allowed_is_accepted(signed_in, completed_stay):
    assert signed_in.post(url(completed_stay), {"score": "10", "text": "y" * TEXT_MAX}).status_code == 302
    assert len(Review.objects.get().text) == TEXT_MAX


def test_the_service_refuses_what_the_form_would_let_through(completed_stay, traveller):
    for score in (0, 11, True, "7.0", None):
        with pytest.raises(Exception, match="score from 1 to 10"):
            review_post(user=traveller, reference=completed_stay.reference, score=score, text="Fine.")
    assert not Review.objects.exists()


def test_the_database_itself_refuses_a_second_review_and_a_score_out_of_range(completed_stay, world, traveller):
    fields = {"booking": completed_stay, "property": world.hotel, "user": traveller, "author_name": "N.",
              "text": "ok", "stayed_on": completed_stay.check_in}
    Review.objects.create(score=8, **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(score=7, **fields)
    other = stay(user=traveller, hotel=world.hotel)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(score=11, **{**fields, "booking": other})


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_stay_leave_one_review_and_refuse_the_rest(world, traveller):
    booking = stay(user=traveller, hotel=world.hotel)

    results = run_concurrently(6, lambda i: review_post(user=traveller, reference=booking.reference, score=i + 1,
                                                       text=f"Attempt {i}"))

    written = [r for r in results if isinstance(r, Review)]
    assert len(written) == 1, results
    assert all(isinstance(r, AlreadyReviewed) for r in results if r not in written), results
    assert Review.objects.filter(booking=booking).count() == 1
