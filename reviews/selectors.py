"""Reads of reviews: a hotel's score and recent reviews, and whether a stay can be reviewed."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet, Window

from bookings.models import Booking
from bookings.selectors import booking_of
from reviews.errors import NotYourStay, StayNotCompleted
from reviews.models import BEST_SCORE, LOWEST_SCORE, Review

RECENT_REVIEWS = 5
# The words the big booking sites put beside a 1-10 score, lowest bound first match.
SCORE_WORDS = ((Decimal(9), "Superb"), (Decimal(8), "Very good"), (Decimal(7), "Good"), (Decimal(6), "Pleasant"))


def score_word(score) -> str:
    for bound, word in SCORE_WORDS:
        if Decimal(score) >= bound:
            return word
    return "Review score"


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    average: Decimal | None  # one decimal, as shown (8.6); None without reviews
    best: int = BEST_SCORE
    worst: int = LOWEST_SCORE

    @property
    def word(self) -> str:
        return score_word(self.average) if self.average is not None else ""


def _rounded(mean) -> Decimal:
    return Decimal(str(mean)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hotel_review_summary(*, property_id: int) -> ReviewSummary:
    """How many reviews the hotel has and their mean score, rounded half up to one decimal. One query."""
    row = Review.objects.filter(property_id=property_id).aggregate(count=Count("pk"), average=Avg("score"))
    if not row["count"]:
        return ReviewSummary(count=0, average=None)
    return ReviewSummary(count=row["count"], average=_rounded(row["average"]))


@dataclass(frozen=True)
class HotelReviews:
    summary: ReviewSummary
    recent: list[Review]


def hotel_reviews(*, property_id: int, limit: int = RECENT_REVIEWS) -> HotelReviews:
    """What a hotel page shows: the score and count over all the hotel's reviews and its newest
    ``limit`` reviews with their answers, newest first. One query (window aggregates)."""
    recent = list(
        Review.objects.filter(property_id=property_id)
        .annotate(all_count=Window(Count("pk")), all_mean=Window(Avg("score")))
        .order_by("-created_at", "-pk")[:limit]
    )
    if not recent:
        return HotelReviews(summary=ReviewSummary(count=0, average=None), recent=[])
    summary = ReviewSummary(count=recent[0].all_count, average=_rounded(recent[0].all_mean))
    return HotelReviews(summary=summary, recent=recent)


def reviews_of(*, user) -> QuerySet[Review]:
    return Review.objects.filter(user=user).select_related("property")


def reviewable_stay(*, user, reference: str) -> Booking:
    """The traveller's completed hotel stay with that reference, or a refusal saying why not.
    Someone else's booking is refused as if it did not exist."""
    try:
        booking = booking_of(user=user, reference=reference)
    except Booking.DoesNotExist:
        raise NotYourStay() from None
    if booking.kind != Booking.Kind.STAY or booking.property_id is None:
        raise StayNotCompleted("Only stays in our own hotels can be reviewed here.")
    if booking.status != Booking.Status.COMPLETED:
        raise StayNotCompleted()
    return booking


def review_of_booking(*, booking: Booking) -> Review | None:
    return Review.objects.filter(booking=booking).first()
