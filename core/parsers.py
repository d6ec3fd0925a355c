"""The API's JSON parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] in settings)."""
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's strict JSON parser (no NaN or Infinity), plus: a body nested too deeply for Python
    to parse is a 400 like any other unparseable body, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
