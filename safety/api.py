"""The terminal API: card readers post signed batches of taps (docs/terminal-api.md).

Every answer is JSON, errors included, so a terminal's firmware never has to read HTML. The
order of the checks is part of the contract: key, clock, signature, replay, rate limit, then the
body (its media type, then its JSON).
Machine messages are English and not translated: they end up in a terminal's log, not in
front of a resident.
"""

from __future__ import annotations

import json
import logging

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from portal.errors import error_response
from safety import services, terminals
from safety.errors import TerminalApiError

logger = logging.getLogger(__name__)

#: A terminal sends at most this many events in one request; a longer buffer goes in several.
MAX_EVENTS = 500


def _error(error: TerminalApiError) -> JsonResponse:
    return error_response(error, headers=error.headers)


def _read_body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise TerminalApiError(
            413, "body_too_large", f"the request body is too large; send at most {MAX_EVENTS} events"
        ) from None


def _check_media_type(request: HttpRequest, body: bytes) -> None:
    """TerminalApiError 415 unless a body is declared ``application/json`` (parameters such as charset are fine).

    An empty body has no media type to declare; it goes on to the JSON check (``malformed_json``).
    """
    if body and request.content_type.lower() != "application/json":
        raise TerminalApiError(
            415, "unsupported_media_type", "the body must be sent with Content-Type: application/json"
        )


def _events(body: bytes) -> list:
    """The batch's events, or TerminalApiError 400 when the body is not ``{"events": [...]}``."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise TerminalApiError(400, "malformed_json", "the body is not valid JSON (UTF-8)") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise TerminalApiError(400, "wrong_shape", 'the body must be an object {"events": [...]}')
    if len(data["events"]) > MAX_EVENTS:
        raise TerminalApiError(400, "too_many_events", f"at most {MAX_EVENTS} events per request")
    return data["events"]


@csrf_exempt
def events(request: HttpRequest) -> JsonResponse:
    """POST a batch of taps; answers with the outcome of every event (accepted, duplicate or rejected)."""
    if request.method != "POST":
        return _error(TerminalApiError(405, "method_not_allowed", "use POST", headers={"Allow": "POST"}))
    try:
        body = _read_body(request)
        # One transaction: the signature is remembered together with the taps it brought, so a
        # request refused or failed half-way leaves nothing behind.
        with transaction.atomic():
            key = terminals.authenticate(
                terminals.SignedRequest(
                    method=request.method,
                    path=request.path,
                    key_id=request.headers.get("X-Terminal-Key", ""),
                    timestamp=request.headers.get("X-Timestamp", ""),
                    signature=request.headers.get("X-Signature", ""),
                    body=body,
                )
            )
            terminals.check_rate_limit(key.terminal)
            _check_media_type(request, body)
            results = services.ingest(terminal=key.terminal, events=_events(body))
    except TerminalApiError as error:
        if error.status in (401, 409):
            key_id = request.headers.get("X-Terminal-Key")
            logger.warning("Terminal API refused a request: %s (key %r)", error.code, key_id)
        return _error(error)
    except Exception:
        # Still JSON for the terminal; the traceback goes to the log. The terminal keeps its buffer and retries.
        logger.exception("Terminal API failed")
        return _error(TerminalApiError(500, "server_error", "internal error; keep the events and retry"))
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for result in results:
        counts[result.status] += 1
    return JsonResponse({"results": [r.as_json() for r in results], **counts})


events.allowed_methods = ["POST"]  # read by the OpenAPI test


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other URL under /api/terminals/: a JSON 404, not the town site's HTML page."""
    return _error(TerminalApiError(404, "not_found", "no such API endpoint"))
