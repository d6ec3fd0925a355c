"""A guest's review of a completed stay, and the hotel's answer.

One review per booking (the one-to-one is the database's unique constraint), a score of 1 to 10
(the scale of Booking.com and Expedia, where travellers compare hotels; see docs/reviews.md),
checked by the database too. Only ``reviews.services`` writes these rows.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogue.models import Property

LOWEST_SCORE, BEST_SCORE = 1, 10
TEXT_MAX = 2000


class Review(models.Model):
    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="review")
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="reviews",
                                 help_text="The booking's hotel, kept here so a hotel's reviews are one index away.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    author_name = models.CharField(max_length=80, help_text="What the page shows: a first name and an initial.")
    score = models.PositiveSmallIntegerField(help_text=f"{LOWEST_SCORE} to {BEST_SCORE}.")
    text = models.TextField(max_length=TEXT_MAX)
    stayed_on = models.DateField(help_text="The check-in date of the stay reviewed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    answer = models.TextField(max_length=TEXT_MAX, blank=True, help_text="The hotel's public answer.")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["property", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=LOWEST_SCORE, score__lte=BEST_SCORE),
                                   name="review_score_in_range"),
        ]

    def __str__(self):
        return f"{self.score}/{BEST_SCORE} by {self.author_name} for {self.property.name}"
