"""Reads of released files for the requester's page: what they may download and what was redacted."""

from __future__ import annotations

from disclosure.models import Request
from disclosure.release.access import can_download
from disclosure.release.models import RedactionBox, ReleasedFile
from portal.models import User


def files_for(user: User, request: Request) -> list[ReleasedFile]:
    """The request's released files the user may download now (the rule of ``release.access``)."""
    return [f for f in request.released_files.all() if can_download(user, f)]  # each f.request is this request


def redactions_of(request: Request) -> list[RedactionBox]:
    """The redacted areas of the request's released files, with page and reason (what the requester is shown)."""
    return list(
        RedactionBox.objects.filter(draft__request=request, draft__output__isnull=False)
        .select_related("draft__output")
        .order_by("draft__output__pk", "page", "y0", "x0")
    )
