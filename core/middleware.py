"""Edge middleware: refuse a NUL byte in the URL; answer 503, not 500, when a dependency is down.

A NUL byte: no URL of the site has a use for one, and PostgreSQL refuses it in a query (a 500 wherever a
path or query value reaches the database: a booking reference, an admin list filter). So a NUL
in the path or the query string, raw or %00-encoded, is a 400 here, in one place.

A dependency down: see ``AnswerUnavailable`` below and docs/operations.md.
"""
import logging
import time
from urllib.parse import unquote_to_bytes

import structlog
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django_structlog.middlewares import RequestMiddleware

from core import metrics
from core.errors import Unavailable
from core.logging import request_id_from
from core.throttles import client_ip

logger = logging.getLogger(__name__)

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


# --- a dependency that is down: 503 with Retry-After, never a 500 -----------------------------

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN_MESSAGE = ("We cannot reach our database right now. Nothing new was saved by this request; "
                         "please try again in a minute.")


class AnswerUnavailable:
    """Answer 503 (with ``Retry-After`` and a short message) when a view fails because the
    database cannot be reached (``OperationalError``/``InterfaceError``), or because a service
    refused with ``Unavailable`` (fail closed, e.g. price locks while Redis is down).

    The 503 page is rendered without the request's context processors, so it needs neither the
    database nor the cache. Once the database answers again, the next request gets a fresh
    connection (``CONN_HEALTH_CHECKS``): the site recovers by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("database unavailable on %s: %r", request.path, exception)
            return unavailable_response(request, message=DATABASE_DOWN_MESSAGE, code="database_unavailable",
                                        retry_after=RETRY_AFTER_SECONDS)
        if isinstance(exception, Unavailable):
            logger.warning("unavailable on %s: %s", request.path, exception.message)
            retry_after = int(exception.details().get("retry_after") or RETRY_AFTER_SECONDS)
            return unavailable_response(request, message=exception.message, code=exception.code,
                                        retry_after=retry_after)
        return None


def unavailable_response(request, *, message: str, code: str, retry_after: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": code, "detail": message, "retry_after": retry_after}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message, "retry_after": retry_after}),
                                status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


# --- request ids and request metrics ---------------------------------------------------------

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


class RequestLog(RequestMiddleware):
    """django-structlog's request_started / request_finished lines, with the signed-in user's id
    when it can be read. Reading it loads the session and the user: with the database down that
    raises here, in a middleware, where Django would turn it into a 500; instead the line goes
    without the user id and the view's own read fails the same way, which ``AnswerUnavailable``
    answers with a 503."""

    @classmethod
    def bind_ip(cls, request) -> None:
        """The address the throttles and sign-in lockouts use (``core.throttles.client_ip``: the
        peer's, or the one the outermost trusted proxy received from), not ipware's guess, which
        believes an X-Forwarded-For the client wrote itself (and costs a tenth of a cached page)."""
        structlog.contextvars.bind_contextvars(ip=client_ip(request))

    @staticmethod
    def bind_user_id(request) -> None:
        try:
            RequestMiddleware.bind_user_id(request)
        except DatabaseError as exc:
            logger.warning("user id not bound to the request's log lines: %r", exc)
