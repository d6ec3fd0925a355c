"""The traveller's rewards page."""
from django.urls import path

from rewards import views

urlpatterns = [
    path("rewards/", views.rewards_page, name="rewards"),
]
