"""Request rate limits per client: DRF throttles for the API, the same throttles for site forms.

A client is the signed-in account, or the network address when nobody is signed in. The
address is the TCP peer's (``REMOTE_ADDR``) unless ``TRUSTED_PROXY_COUNT`` proxies stand in
front of the site, in which case it is the address the outermost trusted proxy saw
(``X-Forwarded-For`` read from the right, so a client cannot pick its own). Sign-in lockouts
(travel/lockout.py) count the same address.

Rates live in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` by scope: ``api`` for every API call,
``price_lock`` and ``placement`` for the two calls that hold something. The counts are kept in
the default cache (Redis in full stack, shared by every process; the process's own memory in
the embedded mode). When the cache cannot answer, a request is let through and the failure
logged: a throttle is a brake on abuse, never a reason to turn a traveller away.
"""
import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address: the peer's, or the one the outermost trusted proxy received from."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class ClientRateThrottle(SimpleRateThrottle):
    """``scope``'s rate per signed-in account, or per address for anonymous callers."""

    scope = "api"

    def get_rate(self):  # read now, not at import: a changed setting applies at once
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else f"ip-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache is down: let the request through, say so
            logger.warning("throttle %s not applied: the cache did not answer", self.scope, exc_info=True)
            return True


class ApiThrottle(ClientRateThrottle):
    scope = "api"


class PriceLockThrottle(ClientRateThrottle):
    scope = "price_lock"


class PlacementThrottle(ClientRateThrottle):
    scope = "placement"


def throttled_page(throttle_class, *, template: str = "429.html"):
    """A site view decorator: past the scope's rate the page answers 429 with Retry-After,
    counted in the same buckets as the API (a form and the API share one allowance)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = throttle_class()
            if not throttle.allow_request(request, None):
                wait = max(1, int(round(throttle.wait() or 1)))
                response = render(request, template, {"retry_after": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
