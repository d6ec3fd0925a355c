"""The URL map: each app owns its own urls module; this file only mounts them."""
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.metrics_page import metrics_page
from travel import sitemaps
from travel.feeds import views as feeds
from travel.views import accounts, health, media, pages
from travel.views import search as search_views
from travel.views.currency import choose_currency
from travel.views.dates import choose_date_format

handler404 = "travel.views.pages.page_not_found"
handler500 = "travel.views.pages.server_error"

urlpatterns = [
    path("", pages.home, name="home"),
    path("destinations/<slug:slug>/", pages.destination, name="destination"),
    path("destinations/<slug:slug>/deals/", pages.deals, name="destination-deals"),
    path("hotels/<slug:slug>/", pages.hotel, name="hotel"),
    path("search/", search_views.search, name="search"),
    path("flights/", search_views.flights, name="flights"),
    path("activities/", search_views.activities, name="activities"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", accounts.account, name="account"),
    path("accounts/email/confirm/<str:token>/", accounts.email_change_confirm, name="email_change_confirm"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(
        html_email_template_name="registration/password_reset_email.html",
        email_template_name="registration/password_reset_email.txt"), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("", include("bookings.urls")),
    path("", include("bookings.payments.urls")),
    path("", include("rewards.urls")),
    path("", include("reviews.urls")),
    path("", include("channels.urls")),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("currency/", choose_currency, name="choose-currency"),
    path("dates/", choose_date_format, name="choose-date-format"),
    path("robots.txt", pages.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("feeds/google/hotel-list.xml", feeds.hotel_list, name="feed-hotel-list"),
    path("feeds/google/ari/<int:property_id>/<slug:kind>.xml", feeds.property_feed, name="feed-property"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_page, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
if settings.SERVE_MEDIA:  # uploaded photos; in production the web server or a CDN serves them
    urlpatterns.append(path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media.media, name="media"))
