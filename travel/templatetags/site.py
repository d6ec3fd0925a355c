"""Filters for what travellers read on the public pages: amenity names, money, distances."""
from django import template

register = template.Library()


@register.filter
def amenity_labels(codes, names: dict) -> str:
    """Amenity codes as the names travellers read, joined: ("wifi", "pool") -> "Free Wi-Fi, Pool"."""
    return ", ".join(names.get(code) or code.replace("-", " ").replace("_", " ").capitalize() for code in codes)
