"""Why a review is refused. Domain errors (core/errors.py): the category says what kind of
refusal it is, and the review page answers each with its status and message."""
from core.errors import Category, DomainError


class ReviewRefused(DomainError):
    code = "review_refused"
    category = Category.CONFLICT


class NotYourStay(ReviewRefused):
    """No such booking for this traveller (someone else's is answered the same: a 404)."""

    code = "no_such_stay"
    category = Category.NOT_FOUND
    default_message = "We found no booking of yours with that reference."


class StayNotCompleted(ReviewRefused):
    code = "stay_not_completed"
    default_message = "You can review a hotel stay once it is completed, after check-out."


class AlreadyReviewed(ReviewRefused):
    code = "already_reviewed"
    default_message = "You have already reviewed this stay: one review per booking."


class BadReview(ReviewRefused):
    code = "bad_review"
    category = Category.VALIDATION
