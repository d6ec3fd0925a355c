"""Small helpers for the XML channels: read a request whatever its namespaces, build an answer.

Requests are read by local names (a client may or may not qualify its elements; the contract
schemas are where the namespace is checked). Answers are built with plain tag names and, for the
OpenTravel channel, an ``xmlns`` attribute on the root, so ``shape_change`` can rename by name.
"""
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal


def parse(body: bytes) -> ET.Element:
    if not body:
        raise ValueError("an XML body is required")
    root = ET.fromstring(body)
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
        for name in [n for n in element.attrib if n.startswith("{")]:
            element.set(name.rsplit("}", 1)[-1], element.attrib.pop(name))
    return root


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """A child element; attributes that are None are left out, booleans written true/false."""
    child = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        child.text = text
    return child


def element(tag: str, **attrs) -> ET.Element:
    return ET.Element(tag, {k: _text(v) for k, v in attrs.items() if v is not None})


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def need(parent: ET.Element, path: str) -> ET.Element:
    found = parent.find(path)
    if found is None:
        raise ValueError(f"<{path}> is required in <{parent.tag}>")
    return found


def attr(node: ET.Element, name: str) -> str:
    value = node.get(name)
    if value is None or value == "":
        raise ValueError(f"<{node.tag}> needs the attribute {name}")
    return value


def day(node: ET.Element, name: str) -> date:
    return date.fromisoformat(attr(node, name))


def boolean(node: ET.Element, name: str) -> bool | None:
    value = node.get(name)
    if value is None:
        return None
    if value not in ("true", "false", "1", "0"):
        raise ValueError(f"<{node.tag} {name}> must be true or false")
    return value in ("true", "1")


def integer(node: ET.Element, name: str) -> int | None:
    value = node.get(name)
    return None if value is None else int(value)


def amount(value) -> str:
    return f"{Decimal(str(value)):.2f}"
