"""The URL map: each app owns its own urls module; this file only mounts them."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from travel.views import accounts, health, pages
from travel.views import search as search_views

handler404 = "travel.views.pages.page_not_found"
handler500 = "travel.views.pages.server_error"

urlpatterns = [
    path("", pages.home, name="home"),
    path("destinations/<slug:slug>/", pages.destination, name="destination"),
    path("hotels/<slug:slug>/", pages.hotel, name="hotel"),
    path("search/", search_views.search, name="search"),
    path("flights/", search_views.flights, name="flights"),
    path("activities/", search_views.activities, name="activities"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("", include("bookings.urls")),
    path("", include("bookings.payments.urls")),
    path("", include("rewards.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
