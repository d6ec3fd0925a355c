"""Dates as each visitor reads them: the *format locale*.

The site stays in English; only the order and shape of dates follow the visitor: a US visitor
reads "Dec 1, 2026" and "12/1/2026", a UK one "1 Dec 2026" and "01/12/2026", a German one
"1 Dec 2026" and "1.12.2026", a Thai one "1 Dec 2026" and "1/12/2026". The locale comes from a
``date_format`` cookie when the visitor chose one in the footer, else from the first
``Accept-Language`` entry we know, else ``DEFAULT``. ``DateFormatMiddleware`` makes it the active
one for the request; ``{{ value|local_date:"medium" }}`` (travel/templatetags/site.py) formats
with it. Outside a request (emails, tasks) the default is active. Machine-readable dates
(``<time datetime>``, form values, URLs, JSON-LD) stay ISO and never go through here.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from django.utils import dateformat, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

COOKIE = "date_format"
COOKIE_MAX_AGE = 365 * 24 * 3600
DEFAULT = "en-GB"

_DAY_MONTH_YEAR = {  # what most of the world reads: "1 Dec 2026"
    "medium": "j M Y", "long": "j F Y", "weekday": "D j M Y", "day": "j M", "weekday_day": "D j M",
    "month": "F Y", "time": "H:i",
}
# name -> (label in the footer selector, {style: Django date format}); "datetime" is short + time
LOCALES: dict[str, tuple[str, dict[str, str]]] = {
    "en-GB": ("1 Dec 2026 · 01/12/2026", {**_DAY_MONTH_YEAR, "short": "d/m/Y"}),
    "en-US": ("Dec 1, 2026 · 12/1/2026", {
        "medium": "M j, Y", "long": "F j, Y", "weekday": "D, M j, Y", "day": "M j", "weekday_day": "D, M j",
        "month": "F Y", "time": "g:i A", "short": "n/j/Y"}),
    "de": ("1 Dec 2026 · 1.12.2026", {**_DAY_MONTH_YEAR, "short": "j.n.Y"}),
    "th": ("1 Dec 2026 · 1/12/2026", {**_DAY_MONTH_YEAR, "short": "j/n/Y"}),
}
STYLES = (*LOCALES[DEFAULT][1], "datetime")
# Accept-Language tags (lower case) -> locale; a bare language ("de") covers its regions ("de-at")
_BY_TAG = {"en-us": "en-US", "en-gb": "en-GB", "en": "en-GB", "de": "de", "th": "th"}
# what a browser sends is short; a longer header is cut, not parsed to the end
MAX_HEADER = 255

_active: ContextVar[str] = ContextVar("date_locale", default=DEFAULT)


def locale_from_header(header: str) -> str | None:
    """The first locale of ``Accept-Language`` we know, in the visitor's order of preference."""
    for tag, _quality in parse_accept_lang_header(header[:MAX_HEADER].lower()):
        found = _BY_TAG.get(tag) or _BY_TAG.get(tag.split("-")[0])
        if found:
            return found
    return None


def chosen_locale(request) -> str:
    """The visitor's format locale: the footer choice, else the browser's languages, else the default."""
    if request is None:
        return DEFAULT
    if not hasattr(request, "_date_locale"):
        cookie = request.COOKIES.get(COOKIE, "")
        request._date_locale = cookie if cookie in LOCALES else (
            locale_from_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or DEFAULT)
    return request._date_locale


def active_locale() -> str:
    return _active.get()


@contextmanager
def using_locale(name: str) -> Iterator[None]:
    """Format dates as ``name`` reads them inside the block (the default for an unknown name)."""
    token = _active.set(name if name in LOCALES else DEFAULT)
    try:
        yield
    finally:
        _active.reset(token)


def _as_date(value) -> date | datetime | None:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value if isinstance(value, date) else None


def formatted(value, style: str = "medium") -> str:
    """``value`` (a date, a datetime, or an ISO string) in ``style`` of the active locale; '' when
    it is not a date. A style we do not know is a programming error (ValueError)."""
    if style not in STYLES:
        raise ValueError(f"unknown date style {style!r}: use one of {', '.join(STYLES)}")
    moment = _as_date(value)
    if moment is None:
        return ""
    formats = LOCALES[active_locale()][1]
    if style == "datetime":
        fmt = f"{formats['short']} {formats['time']}" if isinstance(moment, datetime) else formats["short"]
    else:
        fmt = formats[style]
    return dateformat.format(moment, fmt)


class DateFormatMiddleware:
    """Make the visitor's format locale the active one while the page is built; an HTML answer
    varies on ``Accept-Language`` and ``Cookie`` (the footer choice)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with using_locale(chosen_locale(request)):
            response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
