"""Payment pages and the processor's webhook."""
from django.urls import path

from bookings.payments import views

app_name = "payments"

urlpatterns = [
    path("pay/<str:reference>/", views.pay, name="pay"),
    path("pay/<str:reference>/status.json", views.pay_status, name="status"),
    path("pay/<str:reference>/simulate/", views.pay_simulate, name="simulate"),
    path("webhooks/payments/", views.webhook, name="webhook"),
]
