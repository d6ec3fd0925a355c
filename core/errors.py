"""The one error hierarchy of the domain.

Every refusal a service raises is a ``DomainError``: a ``code`` callers branch on (stable,
machine-readable, independent of HTTP), a ``message`` a person can read, and a ``category``
saying what kind of refusal it is. Each app's error family subclasses it and picks its category;
the API's exception handler (core/api.py) turns the category into a status code, so no view maps
errors on its own.
"""
from enum import StrEnum


class Category(StrEnum):
    NOT_FOUND = "not_found"  # the thing asked for does not exist (for this caller)
    CONFLICT = "conflict"  # the request is fine, the current state refuses it
    GONE = "gone"  # it existed and cannot be used any more
    VALIDATION = "validation"  # the caller's input is wrong
    UNAVAILABLE = "unavailable"  # something we depend on cannot answer now; try again later


class DomainError(Exception):
    code = "error"
    category = Category.VALIDATION
    default_message = "The request was refused."

    def __init__(self, message: str | None = None, *, code: str | None = None):
        message = message or self.default_message
        super().__init__(message)
        # set after the base class ran: a refusal that is also a Django ValidationError (see
        # bookings/errors.py) would otherwise keep the None code that class sets
        self.message = message
        self.code = code or type(self).code

    def details(self) -> dict:
        """Extra fields for an API answer (a re-quote link, a retry delay); none by default."""
        return {}


class NotFoundError(DomainError):
    code = "not_found"
    category = Category.NOT_FOUND
    default_message = "Not found."


class ConflictError(DomainError):
    code = "conflict"
    category = Category.CONFLICT


class GoneError(DomainError):
    code = "gone"
    category = Category.GONE


class InvalidInput(DomainError):
    code = "invalid"
    category = Category.VALIDATION


class Unavailable(DomainError):
    code = "unavailable"
    category = Category.UNAVAILABLE
    default_message = "This is not available right now; try again shortly."
