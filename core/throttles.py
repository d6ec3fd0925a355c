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

With Redis, a request is counted and judged in one Lua script (``_ALLOW``: a sliding log of the
client's allowed requests, on Redis's clock): one round trip, and atomic across every process.
DRF's own throttle reads the log, then writes it back, so concurrent requests of one client read
the same log and each adds itself to its own copy: past the rate, parallel requests got through
(tests/abuse/test_throttles.py shows both). The embedded mode (one process, the process's memory)
keeps DRF's read-then-write.
"""
import logging
import threading
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.shortcuts import render
from django_redis.cache import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)
_cache_failing = threading.Event()  # set from a failed call to the next that succeeds: one warning an outage


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
            backend = caches["default"] if self.cache is default_cache else self.cache  # not the proxy
            if isinstance(backend, RedisCache):
                allowed = self._allow_atomically(backend, request, view)
            else:
                allowed = super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache is down: let the request through, say so (once)
            if not _cache_failing.is_set():
                _cache_failing.set()
                logger.warning("throttles not applied until the cache answers again (scope %s)", self.scope,
                               exc_info=True)
            return True
        if _cache_failing.is_set():  # the outage is over
            _cache_failing.clear()
        return allowed

    def _allow_atomically(self, backend: RedisCache, request, view) -> bool:
        self.retry_after = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        allow = backend.client.get_client(write=True).register_script(_ALLOW)  # run by its SHA1
        allowed, retry_after = allow(keys=[backend.make_key(self.key)],
                                     args=[self.num_requests, self.duration, uuid.uuid4().hex])
        if not allowed:
            self.retry_after = float(retry_after)
        return bool(allowed)

    def wait(self):
        """Seconds until the client's oldest counted request leaves the window (Redis), or DRF's estimate."""
        retry_after = getattr(self, "retry_after", None)
        return retry_after if retry_after is not None else super().wait()


# KEYS[1]: the client's log (the times of its allowed requests). ARGV: the limit, the window in
# seconds, a unique member. Returns {1, ''} when the request is allowed (and logged), else
# {0, the seconds until the oldest logged request leaves the window}.
_ALLOW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return {1, ''}
end
if count == 0 then return {0, tostring(window)} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


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
