"""Whole-page cache for what every anonymous visitor sees alike.

Only anonymous GETs without a query string are cached (so such pages must carry nothing
per-visitor: no CSRF token, no name; base.html only renders those for signed-in users): a page for chosen dates shows live
inventory (the price shown is the price charged), and a signed-in page shows the user's name.
What a cached page can get wrong for ``PAGE_CACHE_SECONDS`` is the indicative "from" price;
the real total is always computed live once dates are chosen.

A hotel page for chosen dates is cached too, but under the fingerprint of every row it is
built from (``cached_dated_hotel_page``), so its prices are never stale.

Two tiers: the shared cache (Redis in full stack), and optionally a per-process micro-cache
of ``settings.PAGE_MICROCACHE_SECONDS`` (0 = off, the default) that saves the Redis round trip
on hot pages; it adds at most those seconds of staleness. Dated hotel pages always use the
per-process tier too: their key is the fingerprint of their rows, so a copy is never stale.
The per-process tier holds the ``MICROCACHE_ENTRIES`` most recently used pages.
"""
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from travel.currency import chosen_currency
from travel.dates import chosen_locale
from travel.views.pages.stay_form import STAY_FIELDS

PAGE_CACHE_SECONDS = 120
MICROCACHE_ENTRIES = 256

_local: OrderedDict[str, tuple[float, tuple]] = OrderedDict()
_now = time.monotonic


def visitor_variant(request: HttpRequest) -> str:
    """What differs between anonymous visitors of one page: prices also shown in the chosen display
    currency, and dates in the visitor's format (travel/dates.py)."""
    return f"{chosen_currency(request)}:{chosen_locale(request)}"


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
    cache_key = f"page:{key}:{visitor_variant(request)}"
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


# --- the hotel page for chosen dates ------------------------------------------------------------

DATED_PAGE_SECONDS = 300
MAX_CACHED_NIGHTS = 30


def _dated_query(request: HttpRequest) -> tuple[date, date, str] | None:
    """The stay an anonymous visitor asks about, when the query names nothing else: (check-in,
    check-out, the query in a canonical form), or None (then the page is built, never cached)."""
    if request.method != "GET" or request.user.is_authenticated or not set(request.GET) <= set(STAY_FIELDS):
        return None
    try:
        check_in = date.fromisoformat(request.GET.get("check_in", ""))
        check_out = date.fromisoformat(request.GET.get("check_out", ""))
        guests, rooms = int(request.GET.get("guests") or 2), int(request.GET.get("rooms") or 1)
    except ValueError:
        return None
    if not 0 < (check_out - check_in).days <= MAX_CACHED_NIGHTS:
        return None
    return check_in, check_out, f"{check_in}:{check_out}:{guests}:{rooms}"


def cached_dated_hotel_page(request: HttpRequest, slug: str, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The hotel page for chosen dates, cached under the fingerprint of every row it is built from
    (``travel.selectors.hotel_stay_stamp``: one query). A reservation, a release, a rate or
    catalogue edit changes the fingerprint, so a cached page always shows the prices and rooms a
    price lock made now would charge, never a stale one; the page is otherwise built as without
    the cache. Anonymous visitors only (a signed-in page shows the user's name)."""
    from travel.selectors import hotel_stay_stamp

    asked = _dated_query(request)
    stamp = hotel_stay_stamp(slug=slug, check_in=asked[0], check_out=asked[1]) if asked else None
    if stamp is None:
        return build()
    cache_key = f"page:hotel-dated:{slug}:{asked[2]}:{stamp}:{visitor_variant(request)}"
    # The key names every row the page is built from, so this process's copy can never be stale:
    # it saves the Redis round trip (and unpickling the page) whatever PAGE_MICROCACHE_SECONDS says.
    stored = _local_get(cache_key)
    if stored is None:
        stored = cache.get(cache_key)
        if stored is not None:
            _local_set(cache_key, stored, DATED_PAGE_SECONDS)
    if stored is not None:
        status, body, content_type = stored
        response = HttpResponse(body, status=status, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response
    response = build()
    if response.status_code == 200:
        stored = (response.status_code, response.content, response["Content-Type"])
        cache.set(cache_key, stored, DATED_PAGE_SECONDS)
        _local_set(cache_key, stored, DATED_PAGE_SECONDS)
    response["X-Page-Cache"] = "miss"
    return response
