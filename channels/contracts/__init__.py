"""The channels' message contracts: what every request and answer of docs/channel-apis.md must look
like, as data, and a validator the contract tests apply to both sides.

Layout (this directory holds only data and this module):

- ``<channel>.xsd`` for the XML channels (``booking_com``: OpenTravel namespace; ``expedia``: none).
  Each global element is one message, named by its root: ``OTA_HotelResNotifRQ``, ``NoShowRS``,
  ``BookingRetrievalRS``, ``BookingNotification``, ...
- ``<channel>/<message>.json``: JSON Schema (draft 2020-12), one file per JSON message, e.g.
  ``agoda/booking.json``, ``traveloka/inventory_request.json``, ``trip_com/confirm_response.json``,
  and ``booking_com/webhook.json`` (its webhook is JSON). Files whose name starts with ``_`` are
  shared parts, not messages. A channel's files are validated together: ``{"$ref":
  "#/$defs/<name>"}`` in one of them means the file ``<name>.json`` of the same channel.

The schemas are strict so that a renamed field fails: required properties,
``additionalProperties: false``, required XML attributes. Limits that are the API's rules rather
than the message's shape (at most 100 ``AvailRateUpdate`` or 200 items) are not in the schemas.

This module imports only the standard library, ``xmlschema`` and ``jsonschema``: the sandboxes'
tests and the adapters' tests both use it.
"""
import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import jsonschema
import xmlschema

HERE = Path(__file__).parent
XML_CHANNELS = ("booking_com", "expedia")


class ContractViolation(Exception):
    """A message that breaks its channel's contract; the text names the channel, the message and
    the offending field (its path in the message)."""

    def __init__(self, channel: str, message: str, field: str, problem: str):
        super().__init__(f"{channel} {message}: {field}: {problem}")
        self.channel, self.message, self.field, self.problem = channel, message, field, problem


@cache
def _xsd(channel: str) -> xmlschema.XMLSchema:
    if channel not in XML_CHANNELS:
        raise ValueError(f"{channel} has no XML contract; XML channels: {', '.join(XML_CHANNELS)}")
    return xmlschema.XMLSchema(HERE / f"{channel}.xsd")


@cache
def _json_schemas(channel: str) -> dict[str, dict]:
    folder = HERE / channel
    if not folder.is_dir():
        raise ValueError(f"{channel} has no JSON contract")
    schemas = {}
    for path in sorted(folder.glob("*.json")):
        schema = json.loads(path.read_text())
        schema.pop("$schema", None)  # meaningful only at the root of the combined schema below
        schemas[path.stem] = schema
    return schemas


@cache
def _json_validator(channel: str, message: str):
    schemas = _json_schemas(channel)
    if message not in schemas or message.startswith("_"):
        raise ValueError(f"{channel} has no JSON message {message!r}; it has {', '.join(message_names(channel))}")
    combined = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": schemas,
                "$ref": f"#/$defs/{message}"}
    validator = jsonschema.Draft202012Validator
    validator.check_schema(combined)
    return validator(combined)


def message_names(channel: str) -> list[str]:
    """Every message the channel's contract describes: XML roots, then JSON message names."""
    names = list(_xsd(channel).elements) if channel in XML_CHANNELS else []
    if (HERE / channel).is_dir():
        names += [name for name in _json_schemas(channel) if not name.startswith("_")]
    if not names:
        raise ValueError(f"no contract for channel {channel!r}")
    return names


def validate_xml(channel: str, text: str | bytes) -> None:
    """Check one XML message against the channel's XSD, chosen by the root element's name."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ContractViolation(channel, "?", "/", f"not XML ({exc})")
    name = root.tag.rsplit("}", 1)[-1]
    schema = _xsd(channel)
    if name not in schema.elements:
        raise ContractViolation(channel, name, f"/{name}", f"no such message; known: {', '.join(schema.elements)}")
    for error in schema.iter_errors(root):
        path = re.sub(r"\{[^}]*\}", "", error.path or f"/{name}")  # namespaces make paths unreadable
        raise ContractViolation(channel, name, path, error.reason or str(error))


def validate_json(channel: str, message: str, data) -> None:
    """Check one JSON message (already decoded) against ``<channel>/<message>.json``."""
    validator = _json_validator(channel, message)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        path = "/" + "/".join(str(part) for part in error.absolute_path)
        raise ContractViolation(channel, message, path, error.message)
