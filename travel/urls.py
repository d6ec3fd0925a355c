from django.contrib import admin
from django.urls import path

from travel.views import health, pages

handler404 = "travel.views.pages.page_not_found"
handler500 = "travel.views.pages.server_error"

urlpatterns = [
    path("", pages.home, name="home"),
    path("destinations/<slug:slug>/", pages.destination, name="destination"),
    path("hotels/<slug:slug>/", pages.hotel, name="hotel"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
