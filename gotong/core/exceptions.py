"""The one error tree of the project.

Services raise these; the API renders them as ``{"message": ..., "extra": ...}`` with
the status below, and pages show the message as a form error. Messages are lazy
translations so they come out in the visitor's language (Bahasa Indonesia by default).
"""

from typing import Any


class ApplicationError(Exception):
    """A use-case was refused; nothing was changed."""

    status_code = 400

    def __init__(self, message: Any, extra: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    """The input is malformed or breaks a rule of the domain."""

    status_code = 422


class NotAuthenticated(ApplicationError):
    """The caller must log in first."""

    status_code = 401


class PermissionDenied(ApplicationError):
    """The caller is logged in but their role or territory does not allow this."""

    status_code = 403


class NotFound(ApplicationError):
    """The object does not exist in this kelurahan."""

    status_code = 404


class Conflict(ApplicationError):
    """The request clashes with the current state (a duplicate, a state already left)."""

    status_code = 409


class RateLimited(ApplicationError):
    """Too many attempts in a short time."""

    status_code = 429
