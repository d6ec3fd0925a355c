"""Whole-page cache for what every anonymous visitor sees alike.

Only anonymous GETs without a query string are cached: a page for chosen dates shows live
inventory (the price shown is the price charged), and a signed-in page shows the user's name.
What a cached page can get wrong for ``PAGE_CACHE_SECONDS`` is the indicative "from" price;
the real total is always computed live once dates are chosen.
"""
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

PAGE_CACHE_SECONDS = 120


def cacheable(request: HttpRequest) -> bool:
    return request.method == "GET" and not request.GET and not request.user.is_authenticated


def cached_page(request: HttpRequest, key: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    if not cacheable(request):
        return build()
    cache_key = f"page:{key}"
    stored = cache.get(cache_key)
    if stored is not None:
        status, body, content_type = stored
        response = HttpResponse(body, status=status, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response
    response = build()
    if response.status_code == 200:
        cache.set(cache_key, (response.status_code, response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
    response["X-Page-Cache"] = "miss"
    return response
