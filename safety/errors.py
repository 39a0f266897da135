"""The refusals of safety mail, in the portal's one error vocabulary (:mod:`portal.errors`)."""

from __future__ import annotations

from typing import Any

from portal.errors import ServiceError


class SafetyError(ServiceError):
    """A safety-mail rule refused a request (a card without consent, a malformed tap event ...)."""

    default_code = "safety_refused"


class TerminalApiError(ServiceError):
    """A refused terminal request: an HTTP status, a stable machine-readable code and an English message for logs.

    The JSON answer is ``{"error": code, "message": ..., **extra}``; ``headers`` go on the response
    (``Retry-After`` of a rate limit). Messages are not translated: they end up in a terminal's log.
    """

    default_code = "bad_request"

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message, code=code, status=status, **extra)
        self.headers = headers or {}
