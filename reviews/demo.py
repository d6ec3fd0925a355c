"""Demo reviews: every demo hotel has a few reviews of past stays, one answered by its staff, and
the demo traveller has a completed stay left to review (/reviews/LT-RVW-TRAV/).

The past stays are demo booking rows made here (completed, with fixed references); the reviews
and answers go through the services, like a traveller's and a hotel's. Idempotent: fixed
references, and a booking that has its review is left alone."""
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from bookings.models import Booking
from bookings.payments.demo import DEMO_COIN, demo_settled_invoice
from catalogue.models import Property
from reviews.models import Review
from reviews.services import review_answer, review_post

GUESTS = ["Anna Keller", "Budi Santoso", "Chloe Martin", "Daniel Okafor", "Emi Tanaka", "Farah Aziz"]
REVIEWS = [
    (9, "Friendly staff who remembered our names, a quiet room and a breakfast worth getting up for."),
    (8, "Great location and a comfortable bed. The pool gets busy in the afternoon, go early."),
    (10, "Everything was thought through, from the airport pick-up to the late check-out. We will be back."),
    (7, "Clean and well run. The room was smaller than the photos suggest, but the view made up for it."),
    (9, "Spotless rooms and a team that helped us plan every day trip."),
]
ANSWER = "Thank you for staying with us! We are glad you enjoyed it and hope to welcome you back soon."


def seed() -> None:
    _grant_staff()
    users = get_user_model().objects
    for index, prop in enumerate(Property.objects.filter(is_active=True).order_by("pk")):
        for n in range(2 + index % 3):  # 2 to 4 reviews a hotel
            guest = GUESTS[(index + n) % len(GUESTS)]
            username = "reviewer-" + guest.split()[0].lower()
            user = _guest(username, guest)
            score, text = REVIEWS[(index * 2 + n) % len(REVIEWS)]
            booking = _past_stay(prop=prop, user=user, reference=f"LT-RVW-{prop.pk:03d}{n}", weeks_ago=3 + 5 * n)
            review = _review(booking=booking, user=user, score=score, text=text, weeks_ago=2 + 5 * n)
            staff = prop.staff.first()
            if n == 0 and staff is not None and not review.answer:
                review_answer(review_id=review.pk, staff=staff, text=ANSWER)
    traveller = users.filter(username="traveller").first()
    first = Property.objects.filter(is_active=True).order_by("pk").first()
    if traveller is not None and first is not None:
        _past_stay(prop=first, user=traveller, reference="LT-RVW-TRAV", weeks_ago=1, lead="Demo Traveller")


def _guest(username: str, name: str):
    """A demo guest account that cannot sign in (it only wrote reviews)."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": name.split()[0], "last_name": name.split()[1]})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _grant_staff() -> None:
    group = Group.objects.filter(name="Hotel staff").first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(content_type__app_label="reviews",
                                                         codename__in=["view_review", "change_review"]))


def _past_stay(*, prop, user, reference: str, weeks_ago: int, lead: str = "") -> Booking:
    existing = Booking.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    room, plan = prop.room_types.order_by("pk").first(), prop.rate_plans.order_by("pk").first()
    check_in = timezone.localdate() - timedelta(weeks=weeks_ago)
    demo_settled_invoice(reference=reference, fiat_amount=Decimal("240.00"), fiat_currency=prop.currency,
                         paid_at=timezone.now() - timedelta(weeks=weeks_ago + 1))
    return Booking.objects.create(
        reference=reference, user=user, kind=Booking.Kind.STAY, status=Booking.Status.COMPLETED,
        title=f"{room.name if room else 'Room'}, 2 nights", property=prop, room_type=room, rate_plan=plan,
        check_in=check_in, check_out=check_in + timedelta(days=2), guests=2,
        lead_name=lead or user.get_full_name(), lead_email=f"{user.username}@example.com",
        subtotal=Decimal("240.00"), total=Decimal("240.00"), currency=prop.currency, coin_code=DEMO_COIN,
        coin_rate=Decimal(1), crypto_amount=Decimal("240.00"), idempotency_key=f"demo-{reference}",
        request_fingerprint="demo",
    )


def _review(*, booking, user, score: int, text: str, weeks_ago: int) -> Review:
    existing = Review.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    review = review_post(user=user, reference=booking.reference, score=score, text=text)
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(weeks=weeks_ago))  # spread out
    return review
