"""Tags and filters for what travellers read on the public pages: amenity names, prices in the
chosen display currency, thousands separators, dates in the visitor's format."""
from decimal import Decimal

from django import template
from django.utils.html import format_html

from travel import currency as display
from travel import dates

register = template.Library()


@register.filter
def amenity_labels(codes, names: dict) -> str:
    """Amenity codes as the names travellers read, joined: ("wifi", "pool") -> "Free Wi-Fi, Pool"."""
    return ", ".join(names.get(code) or code.replace("-", " ").replace("_", " ").capitalize() for code in codes)


@register.filter
def grouped(value) -> str:
    """A whole number with thousands separators and its sign: 1020 -> '+1,020', -660 -> '-660'."""
    return f"{int(value):+,}"


def _rate(request, source: str, target: str) -> Decimal | None:
    """The cross rate, asked once per request and pair."""
    memo = request.__dict__.setdefault("_display_rates", {})
    if (source, target) not in memo:
        memo[source, target] = display.cross_rate(source=source, target=target)
    return memo[source, target]


@register.simple_tag(takes_context=True)
def approx(context, amount, currency: str):
    """' ≈ EUR 1,234.50 approx.' when the visitor chose a display currency other than
    ``currency`` and the rates are known; nothing otherwise."""
    request = context.get("request")
    target = display.chosen_currency(request)
    if not target or target == currency or amount is None:
        return ""
    rate = _rate(request, currency, target)
    if rate is None:
        return ""
    value = display.converted(amount, rate, target)
    return format_html('<span class="approx" data-approx="{}">≈ {} {} approx.</span>',
                       target, target, display.formatted(value, target))


@register.inclusion_tag("travel/partials/currency_form.html", takes_context=True)
def currency_form(context):
    request = context.get("request")
    return {"currencies": display.CURRENCIES.items(), "chosen": display.chosen_currency(request),
            "next": request.get_full_path() if request is not None else "/"}


@register.filter
def local_date(value, style: str = "medium") -> str:
    """A date as this visitor reads it (travel/dates.py): "medium" 1 Dec 2026 / Dec 1, 2026, "short"
    01/12/2026 / 12/1/2026 / 1.12.2026, "long", "weekday", "day", "weekday_day", "month", "datetime"."""
    return dates.formatted(value, style)


@register.inclusion_tag("travel/partials/date_format_form.html", takes_context=True)
def date_format_form(context):
    request = context.get("request")
    chosen = request.COOKIES.get(dates.COOKIE, "") if request is not None else ""
    return {"locales": [(name, label) for name, (label, _formats) in dates.LOCALES.items()],
            "chosen": chosen if chosen in dates.LOCALES else "",
            "next": request.get_full_path() if request is not None else "/"}
