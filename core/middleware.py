"""Refuse a NUL byte in the URL before any view sees it.

No URL of the site has a use for one, and PostgreSQL refuses it in a query (a 500 wherever a
path or query value reaches the database: a booking reference, an admin list filter). So a NUL
in the path or the query string, raw or %00-encoded, is a 400 here, in one place.
"""
import time
from urllib.parse import unquote_to_bytes

import structlog
from django.http import HttpResponseBadRequest, JsonResponse

from core import metrics
from core.logging import request_id_from

MESSAGE = "The address contains a NUL character, which no page here accepts."


class RefuseNulBytes:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(path=request.path, query_string=request.META.get("QUERY_STRING", "")):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "invalid", "detail": MESSAGE}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def has_nul(*, path: str, query_string: str) -> bool:
    # the path arrives decoded; the query string as sent (+ is a space, not a NUL, so plain
    # percent-decoding is enough)
    return "\x00" in path or b"\x00" in unquote_to_bytes(query_string)


class RequestId:
    """Give every request an id, bind it to the log context, and answer it in ``X-Request-ID``.

    A caller's (a proxy's) ``X-Request-ID`` is kept when well formed, so one id follows a request
    across machines; otherwise a new one is made (``core.logging.request_id_from``). The id is
    bound for every log line of the request and travels with the tasks it queues
    (``core.task_base``); django-structlog's ``RequestMiddleware``, further down, logs the request
    under it.
    """

    HEADER = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: that is cached on first use, and django-structlog must read ours
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.clear_contextvars()
        response[self.HEADER] = request_id
        return response


class CountRequests:
    """Count each answered request by view (its URL name) and status, and time it (``/metrics``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        metrics.HTTP_REQUESTS.labels(view=view, method=method_label(request), status=str(response.status_code)).inc()
        metrics.HTTP_REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def method_label(request) -> str:
    return request.method if request.method in KNOWN_METHODS else "other"


def view_label(request) -> str:
    """The URL name of the view that answered (bounded: never the raw path), or ``unmatched``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"
