"""Booking pages and API: checkout, price lock, booking, my bookings."""
from django.urls import path

from bookings import api, views

app_name = "bookings"

urlpatterns = [
    path("book/", views.checkout, name="checkout"),
    path("book/lock/", views.lock_stay, name="lock_stay"),
    path("book/offer/", views.checkout_offer, name="checkout_offer"),
    path("book/offer/lock/", views.lock_offer, name="lock_offer"),
    path("book/locked/<str:lock_id>/", views.locked, name="locked"),
    path("book/place/", views.place, name="place"),
    path("bookings/", views.my_bookings, name="list"),
    path("bookings/<str:reference>/", views.booking_detail, name="detail"),
    path("bookings/<str:reference>/cancel/", views.cancel, name="cancel"),
    path("bookings/<str:reference>/excess/", views.return_excess, name="return_excess"),
    path("api/bookings/", api.BookingListCreate.as_view(), name="api_list"),
    path("api/bookings/locks/", api.PriceLockCreate.as_view(), name="api_lock"),
    path("api/bookings/<str:reference>/", api.BookingDetail.as_view(), name="api_detail"),
    path("api/bookings/<str:reference>/cancel/", api.BookingCancel.as_view(), name="api_cancel"),
]
