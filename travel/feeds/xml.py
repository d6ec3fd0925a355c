"""Small helpers to build feed XML with the standard library's ElementTree."""
from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.utils import timezone


def sub(parent: ET.Element, tag: str, text=None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = _str(text)
    return element


def _str(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def to_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def timestamp(now: datetime | None = None) -> str:
    return (now or timezone.now()).replace(microsecond=0).isoformat()
