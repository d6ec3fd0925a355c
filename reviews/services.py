"""The writes of reviews: a traveller reviews a completed stay once; the hotel answers it.

Each validates everything before writing, in one transaction, and tells the page caches after
commit (``reviews.freshness``)."""
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogue.models import Property
from reviews.errors import AlreadyReviewed, BadReview, NotYourStay
from reviews.freshness import reviews_changed_after_commit
from reviews.models import BEST_SCORE, LOWEST_SCORE, TEXT_MAX, Review
from reviews.selectors import review_of_booking, reviewable_stay


def review_post(*, user, reference: str, score: int, text: str) -> Review:
    """Publish the traveller's review of their completed stay ``reference``. Refused (nothing
    written) for someone else's or an unknown booking, a stay not completed, a second review,
    a score outside 1-10, an empty or too long text."""
    score = _checked_score(score)
    text = _checked_text(text, what="Your review")
    booking = reviewable_stay(user=user, reference=reference)
    if review_of_booking(booking=booking) is not None:
        raise AlreadyReviewed()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                booking=booking, property_id=booking.property_id, user=user, author_name=author_name(booking, user),
                score=score, text=text, stayed_on=booking.check_in or booking.created_at.date(),
            )
            reviews_changed_after_commit(slug=booking.property.slug)
    except IntegrityError:  # a second review of the same booking, posted at the same moment
        raise AlreadyReviewed() from None
    return review


def review_answer(*, review_id: int, staff, text: str) -> Review:
    """The hotel's public answer to a review (an empty text removes it). Only the hotel's own
    staff (or the platform) may answer: anyone else is refused as if the review did not exist."""
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise BadReview(f"An answer has at most {TEXT_MAX} characters.")
    with transaction.atomic():
        review = (Review.objects.select_for_update().select_related("property")
                  .filter(pk=review_id, property__in=_hotels_of(staff)).first())
        if review is None or not staff.is_staff:
            raise NotYourStay("No such review for your hotels.")
        if review.answer == text:
            return review
        review.answer = text
        review.answered_at = timezone.now() if text else None
        review.answered_by = staff if text else None
        review.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
        reviews_changed_after_commit(slug=review.property.slug)
    return review


def _hotels_of(staff):
    """The hotels a staff member answers for: their own; every hotel for the platform."""
    return Property.objects.all() if staff.is_superuser else Property.objects.filter(staff=staff)


def author_name(booking, user) -> str:
    """"Anna K.": the lead guest's first name and initial (the account's name, else its username)."""
    full = booking.lead_name or user.get_full_name() or user.get_username()
    words = full.split()
    if len(words) == 1:
        return words[0][:80]
    return f"{words[0][:76]} {words[-1][0]}."


def _checked_score(score) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise BadReview(f"Choose a score from {LOWEST_SCORE} to {BEST_SCORE}.") from None
    if isinstance(score, bool) or not LOWEST_SCORE <= value <= BEST_SCORE or str(score).strip() != str(value):
        raise BadReview(f"Choose a score from {LOWEST_SCORE} to {BEST_SCORE}.")
    return value


def _checked_text(text, *, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise BadReview(f"{what} needs a few words about the stay.")
    if len(text) > TEXT_MAX:
        raise BadReview(f"{what} has {len(text)} characters: at most {TEXT_MAX}.")
    return text
