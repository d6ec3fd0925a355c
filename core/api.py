"""The API's one exception handler (wired in REST_FRAMEWORK in settings).

Every error answer has the same body, ``{"error": <code>, "detail": <message>}``, plus the
fields some errors add (``requote_url`` for a gone price lock, ``fields`` for invalid input).
A domain error's category decides the status; views never map errors themselves.
"""
from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import Category, DomainError, InvalidInput, NotFoundError, Unavailable

STATUS_BY_CATEGORY = {
    Category.VALIDATION: 400,
    Category.NOT_FOUND: 404,
    Category.CONFLICT: 409,
    Category.GONE: 410,
    Category.UNAVAILABLE: 503,
}


class Busy(Unavailable):
    """A lock or connection timeout in the database: the transaction rolled back; try again."""

    code = "busy"
    default_message = "We are busy; please try again in a moment."

    def details(self) -> dict:
        return {"retry_after": 1}


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (for the schema)."""

    error = serializers.CharField(help_text="A stable code to branch on, e.g. sold_out, lock_expired, invalid.")
    detail = serializers.CharField(help_text="What went wrong, in words a person can read.")


def exception_handler(exc, context):
    error = domain_error(exc)
    if error is not None:
        set_rollback()  # as DRF does for its own errors (matters under ATOMIC_REQUESTS)
        return error_response(error)
    response = drf_exception_handler(exc, context)
    if response is not None:  # DRF's own: unparseable body, invalid input, not signed in, 405...
        response.data = _drf_body(exc, response.data)
    return response  # None: a bug, which Django answers as a 500 and logs


def domain_error(exc: Exception) -> DomainError | None:
    """``exc`` as a domain error, when it is one or stands for one."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, DjangoValidationError):
        return _from_django_validation(exc)
    if isinstance(exc, ObjectDoesNotExist):
        return NotFoundError(f"No such {_model_name(exc)}.")
    if isinstance(exc, OperationalError):
        return Busy()
    return None


def error_response(error: DomainError) -> Response:
    details = error.details()
    response = Response({"error": error.code, "detail": error.message, **details},
                        status=STATUS_BY_CATEGORY[error.category])
    if error.category == Category.UNAVAILABLE and "retry_after" in details:
        response["Retry-After"] = str(details["retry_after"])
    return response


def _from_django_validation(exc: DjangoValidationError) -> DomainError:
    """A service's Django ValidationError: the caller's input, unless it was raised from a
    domain error (a rate source that is down), whose category it keeps."""
    message = exc.messages[0] if exc.messages else "Check what you sent."
    code = getattr(exc, "code", None) or "invalid"
    error = InvalidInput(message, code=code)
    if isinstance(exc.__cause__, DomainError):
        error.category = exc.__cause__.category
    return error


def _model_name(exc: ObjectDoesNotExist) -> str:
    for model in apps.get_models():
        if type(exc) is model.DoesNotExist:
            return str(model._meta.verbose_name)
    return "record"


def _drf_body(exc, data) -> dict:
    if isinstance(exc, DrfValidationError):
        field, message = first_error(data)
        return {"error": "invalid", "detail": f"{field}: {message}" if field else message, "fields": data}
    code = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
    detail = data.get("detail", data) if isinstance(data, dict) else data
    return {"error": str(code), "detail": str(detail)}


def first_error(data, field: str = "") -> tuple[str, str]:
    """The first message in DRF's error structure and the dotted field it belongs to."""
    if isinstance(data, dict):
        for key, value in data.items():
            name = "" if key == "non_field_errors" else (f"{field}.{key}" if field else str(key))
            return first_error(value, name)
    if isinstance(data, list) and data:
        return first_error(data[0], field)
    return field, str(data) if data else "Check what you sent."
