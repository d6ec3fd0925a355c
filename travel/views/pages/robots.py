"""robots.txt: keep crawlers out of search, checkout and payment pages; point to the sitemap."""
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control

from travel.seo import absolute_url

DISALLOWED = ("/search/", "/book/", "/pay/", "/admin/", "/accounts/", "/bookings/", "/rewards/", "/currency/")


@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {absolute_url(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
