"""``/metrics`` for Prometheus, not for the public: a scraper shows ``METRICS_TOKEN`` as a bearer
token, or scrapes from an address in ``METRICS_ALLOWED_NETWORKS``.

With neither configured the page does not exist (404); a request with neither the token nor an
allowed address is a 403. Only the address the connection came from counts (``REMOTE_ADDR``),
never a forwarded-for header a client can write itself.
"""
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from core import metrics


@require_GET
def metrics_page(request):
    token = settings.METRICS_TOKEN
    networks = allowed_networks()
    if not token and not networks:
        return HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")
    if not (_has_token(request, token) or _from_allowed_address(request, networks)):
        return HttpResponseForbidden("The metrics need the scraper's bearer token.",
                                     content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)


def allowed_networks() -> list:
    return [ipaddress.ip_network(n.strip(), strict=False) for n in settings.METRICS_ALLOWED_NETWORKS if n.strip()]


def _has_token(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _from_allowed_address(request, networks) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)
