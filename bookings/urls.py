"""Booking pages and API: checkout, booking, confirmation, my bookings."""
urlpatterns = []
