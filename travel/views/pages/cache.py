"""Whole-page cache for what every anonymous visitor sees alike.

Only anonymous GETs without a query string are cached (so such pages must carry nothing
per-visitor: no CSRF token, no name; base.html only renders those for signed-in users): a page for chosen dates shows live
inventory (the price shown is the price charged), and a signed-in page shows the user's name.
What a cached page can get wrong for ``PAGE_CACHE_SECONDS`` is the indicative "from" price;
the real total is always computed live once dates are chosen.

Two tiers: the shared cache (Redis in full stack), and optionally a per-process micro-cache
of ``settings.PAGE_MICROCACHE_SECONDS`` (0 = off, the default) that saves the Redis round trip
on hot pages; it adds at most those seconds of staleness.
"""
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from travel.currency import chosen_currency

PAGE_CACHE_SECONDS = 120
MICROCACHE_ENTRIES = 256

_local: OrderedDict[str, tuple[float, tuple]] = OrderedDict()
_now = time.monotonic


def cacheable(request: HttpRequest) -> bool:
    return request.method == "GET" and not request.GET and not request.user.is_authenticated


def _local_get(key: str):
    entry = _local.get(key)
    if entry is None or entry[0] < _now():
        return None
    return entry[1]


def _local_set(key: str, stored: tuple, seconds: float) -> None:
    _local[key] = (_now() + seconds, stored)
    _local.move_to_end(key)
    while len(_local) > MICROCACHE_ENTRIES:
        _local.popitem(last=False)


def cached_page(request: HttpRequest, key: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    if not cacheable(request):
        return build()
    cache_key = f"page:{key}:{chosen_currency(request)}"  # prices also shown in the chosen currency
    micro = getattr(settings, "PAGE_MICROCACHE_SECONDS", 0)
    stored = _local_get(cache_key) if micro else None
    if stored is None:
        stored = cache.get(cache_key)
        if stored is not None and micro:
            _local_set(cache_key, stored, micro)
    if stored is not None:
        status, body, content_type = stored
        response = HttpResponse(body, status=status, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response
    response = build()
    if response.status_code == 200:
        stored = (response.status_code, response.content, response["Content-Type"])
        cache.set(cache_key, stored, PAGE_CACHE_SECONDS)
        if micro:
            _local_set(cache_key, stored, micro)
    response["X-Page-Cache"] = "miss"
    return response
