"""``{{ data|json_ld }}``: a schema.org document as a safe <script type="application/ld+json">."""
import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end the script element or open a comment, as JSON escapes.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above


@register.filter
def amount(value) -> str:
    """A money amount with two decimals and thousands separators: 1,234.50."""
    return f"{value:,.2f}"


@register.filter
def stars(count) -> str:
    return "★" * int(count)
