from django.urls import path

from channels import views

urlpatterns = [
    path("channels/webhooks/<slug:code>/", views.webhook, name="channel-webhook"),
]
