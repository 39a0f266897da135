"""One error vocabulary for every app's services.

A service that refuses a request raises a :class:`ServiceError` (or an app's subclass of it):
a stable machine-readable ``code`` (for logs, the terminal API and tests), a ``message`` in the
requester's language (a sentence a resident or staff member can act on), an HTTP ``status`` and
optional ``extra`` details. Views never build their own wording: they hand the error to one of
the helpers below, which show the same sentence as a form error, a flash message or JSON.

    try:
        services.cancel(reservation=reservation, by=request.user)
    except ServiceError as error:
        show_error(request, error)

Each app keeps its own subclasses in ``<app>/errors.py`` (``BookingError``, ``SafetyError`` ...), so
``except BookingError`` still reads like the domain while every caller can catch ``ServiceError``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, JsonResponse


class ServiceError(Exception):
    """A request the rules refuse. Raising it changes nothing: services raise before they write."""

    #: Stable code when the raiser gives none; subclasses name their domain's default.
    default_code: str = "refused"
    #: HTTP status when the error becomes a response.
    status: int = 400

    def __init__(self, message: Any, *, code: str | None = None, status: int | None = None, **extra: Any) -> None:
        self.message = str(message)
        self.code = code or self.default_code
        if status is not None:
            self.status = status
        self.extra = extra
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def as_json(self) -> dict[str, Any]:
        """The body of a JSON answer: ``{"error": code, "message": ..., **extra}``."""
        return {"error": self.code, "message": self.message, **self.extra}


def add_form_error(form, error: ServiceError, field: str | None = None) -> None:
    """Show the refusal on a form, on ``field`` or above the form when none is given."""
    form.add_error(field, error.message)


def show_error(request: HttpRequest, error: ServiceError) -> None:
    """Show the refusal as a message on the next page the person sees."""
    messages.error(request, error.message)


def error_response(error: ServiceError, *, headers: dict[str, str] | None = None) -> JsonResponse:
    """The refusal as a JSON answer with the error's status."""
    response = JsonResponse(error.as_json(), status=error.status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class InvitationError(ServiceError):
    """An invitation to share a household member that cannot be sent or accepted."""

    default_code = "invitation"
