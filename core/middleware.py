"""Refuse a NUL byte in the URL before any view sees it.

No URL of the site has a use for one, and PostgreSQL refuses it in a query (a 500 wherever a
path or query value reaches the database: a booking reference, an admin list filter). So a NUL
in the path or the query string, raw or %00-encoded, is a 400 here, in one place.
"""
from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, JsonResponse

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
