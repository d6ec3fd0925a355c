from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Guest reviews of completed stays, and the hotel's answers."""

    name = "reviews"
    verbose_name = "Reviews"
