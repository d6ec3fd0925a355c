"""Review pages: /reviews/<booking reference>/ is the review form of a completed stay."""
from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/<str:reference>/", views.write_review, name="write"),
]
