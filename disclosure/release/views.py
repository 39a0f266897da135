"""The download of a released file (決定通知書, 開示文書): checked by ``disclosure.release.access``."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from disclosure.release.access import can_download, is_public
from disclosure.release.models import ReleasedFile


@require_GET
def download(request: HttpRequest, file_id: int, name: str) -> FileResponse:
    """The file, if the requester may have it; 404 otherwise, as if it did not exist."""
    found = get_object_or_404(ReleasedFile.objects.select_related("request"), pk=file_id)
    if name != found.name or not can_download(request.user, found):
        raise Http404
    try:
        handle = found.file.storage.open(found.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = found.content_type or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=found.name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if not is_public(found):
        # A private file: no shared cache or browser history keeps it.
        response["Cache-Control"] = "private, no-store"
    return response
