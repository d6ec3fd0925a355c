"""The one way an adapter talks to its OTA: a request through the pooled client, the answer read.

Every channel fails in the same few ways and we want them to leave here as the same few errors
(``base``): the OTA is away (transport error, timeout, 5xx: ``ChannelUnavailable``), asks us to slow
down (429: ``RateLimited`` with its Retry-After), or refuses our request (4xx: ``ChannelRejected``
with the channel's own error code and message, read by the channel's ``read_error``). An answer
that parses but lacks what the API promises is ``ContractBroken`` naming the field, so a silent
change on the OTA's side is caught the first time we read it rather than stored as nonsense.

``recording()`` lets the contract tests see every exchange (what we sent, what came back)
without mocking anything: the requests still go over real HTTP.
"""
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

import httpx
from defusedxml import ElementTree as SafeXML
from django.conf import settings

from channels import limiter
from channels.adapters.base import ChannelRejected, ChannelUnavailable, ContractBroken, RateLimited
from core.http_client import outside_http

ErrorReader = Callable[[httpx.Response], tuple[str, str]]  # a refusal's (code, message)


@dataclass(frozen=True)
class Exchange:
    """One request sent and the answer received, as bytes on the wire. Bodies may hold credentials
    (Expedia-like ``<Authentication>``): for tests and debugging, never for logs as they are."""

    channel: str
    method: str
    url: str
    request_body: bytes
    status: int
    response_body: bytes
    content_type: str


observers: list[Callable[[Exchange], None]] = []  # called with every exchange that got an answer


@contextmanager
def recording() -> Iterator[list[Exchange]]:
    """``with recording() as exchanges:`` collects every exchange made inside the block."""
    seen: list[Exchange] = []
    observer = seen.append
    observers.append(observer)
    try:
        yield seen
    finally:
        observers.remove(observer)


def base_url(code: str) -> str:
    """Where channel ``code`` answers, read at call time: its own URL if set, else the one OTA
    endpoint speaking every channel under ``/<code>``, else the sandbox OTA started in-process
    (embedded mode only; ``sandbox_url`` refuses in production)."""
    url = settings.CHANNEL_APIS.get(code, {}).get("url")
    if url:
        return url.rstrip("/")
    if settings.OTA_API_URL:
        return settings.OTA_API_URL.rstrip("/") + "/" + code
    from sandboxes.embedded import sandbox_url

    return sandbox_url("ota").rstrip("/") + "/" + code


def config(code: str) -> Mapping[str, str]:
    return settings.CHANNEL_APIS[code]


def send(channel: str, method: str, url: str, *, read_error: ErrorReader, content: bytes | None = None,
         headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None) -> httpx.Response:
    """Send one request; return the answer if it is a success (2xx), else raise the right error."""
    timeout = settings.CHANNEL_HTTP_TIMEOUT
    limiter.call_slot(channel)
    try:
        response = outside_http().request(method, url, content=content, headers=headers, params=params,
                                          timeout=timeout)
    except httpx.TimeoutException as exc:
        raise ChannelUnavailable(f"{channel} did not answer within {timeout:g}s.") from exc
    except httpx.TransportError as exc:
        raise ChannelUnavailable(f"{channel} cannot be reached ({exc.__class__.__name__}).") from exc
    exchange = Exchange(channel, method, str(response.request.url), content or b"", response.status_code,
                        response.content, response.headers.get("content-type", ""))
    for observer in list(observers):
        observer(exchange)
    status = response.status_code
    if status == 429:
        retry_after = _retry_after(response)
        limiter.pause(channel, retry_after)
        raise RateLimited(f"{channel} is rate limiting us.", retry_after=retry_after)
    if status >= 500:
        raise ChannelUnavailable(f"{channel} answered {status}.")
    if status >= 400:
        code, message = _safely(read_error, response)
        raise ChannelRejected(f"{channel} refused ({status}{' ' + code if code else ''}): {message}", code=code)
    return response


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:  # an HTTP date instead of seconds: wait the smallest sensible time
        return 1.0


def _safely(read_error: ErrorReader, response: httpx.Response) -> tuple[str, str]:
    """The channel's error code and message; a refusal whose body has another shape (a proxy's
    page, the sandbox toolkit's generic error) still leaves as a refusal, with its text."""
    try:
        code, message = read_error(response)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, ParseError, ContractBroken):
        code, message = "", ""
    return str(code or ""), str(message or "") or response.text[:500] or response.reason_phrase


# --- reading answers --------------------------------------------------------------------------

def parse_json(channel: str, response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError as exc:
        raise ContractBroken(f"{channel} answered with something that is not JSON.") from exc
    if not isinstance(data, dict):
        raise ContractBroken(f"{channel} answered with JSON that is not an object.")
    return data


def parse_xml(channel: str, text: str | bytes) -> Element:
    """Parse with defusedxml: no entity expansion or external entities from an outside party."""
    try:
        return SafeXML.fromstring(text)
    except (ParseError, ValueError) as exc:
        raise ContractBroken(f"{channel} answered with something that is not XML ({exc}).") from exc


def xml_text(element: Element) -> str:
    """An element as text, its namespace written as the default one (no ``ns0:`` prefixes)."""
    namespace = element.tag[1:].partition("}")[0] if element.tag.startswith("{") else ""
    copy = deepcopy(element)
    for found in copy.iter():
        found.tag = local(found.tag)
    if namespace:
        copy.set("xmlns", namespace)
    return tostring(copy, encoding="unicode")


def field(channel: str, data: Mapping, key: str):
    """``data[key]``, or ContractBroken naming the field the API promised."""
    if not isinstance(data, Mapping) or key not in data or data[key] is None:
        raise ContractBroken(f"{channel}: the answer lacks the field {key!r}.", code=key)
    return data[key]


def child(channel: str, element: Element, tag: str) -> Element:
    """The first ``tag`` under ``element`` (any namespace; ``tag`` may be a path like ``A/B``)."""
    path = "/".join("{*}" + part for part in tag.split("/"))
    found = element.find(path)
    if found is None:
        raise ContractBroken(f"{channel}: the answer lacks the element <{tag}>.", code=tag)
    return found


def children(channel: str, element: Element, tag: str) -> list[Element]:
    """Every child of a list element, which must all be ``tag``: a list of renamed items would
    otherwise read as an empty list (no reservations) instead of a changed contract."""
    found = [item for item in element if local(item.tag) == tag]
    if len(found) != len(element):
        other = next(local(item.tag) for item in element if local(item.tag) != tag)
        raise ContractBroken(f"{channel}: <{local(element.tag)}> holds <{other}> where only <{tag}> is expected.",
                             code=tag)
    return found


def descendants(element: Element, tag: str) -> list[Element]:
    """``element`` itself and everything under it named ``tag`` (any namespace)."""
    return [found for found in element.iter() if local(found.tag) == tag]


def one_per_date(channel: str, found: list, tag: str, start: date, end: date) -> list:
    """A view the API promises one ``tag`` per date of: anything else is a changed contract."""
    expected = (end - start).days + 1
    if len(found) != expected:
        raise ContractBroken(f"{channel}: the view has {len(found)} <{tag}> for {expected} dates.", code=tag)
    return found


def attr(channel: str, element: Element, name: str) -> str:
    value = element.get(name)
    if value is None:
        raise ContractBroken(f"{channel}: <{local(element.tag)}> lacks the attribute {name!r}.", code=name)
    return value


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def as_int(channel: str, name: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ContractBroken(f"{channel}: {name!r} is not a whole number: {value!r}.", code=name) from exc


def as_decimal(channel: str, name: str, value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ContractBroken(f"{channel}: {name!r} is not an amount: {value!r}.", code=name) from exc


def as_date(channel: str, name: str, value) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ContractBroken(f"{channel}: {name!r} is not a date: {value!r}.", code=name) from exc


def as_bool(value) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes")


def node(parent: Element | None, tag: str, text: str | None = None, **attrs) -> Element:
    """A new element (under ``parent`` if given); attributes left None are not written."""
    values = {key: _attr_text(value) for key, value in attrs.items() if value is not None}
    element = Element(tag, values) if parent is None else SubElement(parent, tag, values)
    if text is not None:
        element.text = text
    return element


def _attr_text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def to_xml(root: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>' + tostring(root, encoding="unicode").encode()


def to_json(data) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
