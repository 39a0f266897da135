"""Writes of released files and redaction drafts: keyword-only, one transaction, the rule in the docstring.

- Uploads are judged by their bytes, never their name: a decision letter is a PDF; a disclosed
  document is a PDF, or a Word/Excel file released as it is (only for 全部開示, since nothing in it
  can be redacted). Encrypted, broken, disguised and too large files are refused with a sentence
  and nothing is saved.
- A document of a 部分開示 goes through the redaction tool: the original goes into a
  :class:`RedactionDraft` (private, never downloadable by residents), staff add boxes with their
  reasons, and applying them makes the redacted :class:`ReleasedFile`.
- Released files may be added and removed until the request is published; files of a withdrawn,
  dismissed or transferred request are never released.
- A file released after the decision is announced to the requester by mail.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.errors import DisclosureError
from disclosure.models import DECISIONS, OPEN_STATUSES, Request, Status
from disclosure.release import redaction
from disclosure.release.models import RedactionBox, RedactionDraft, ReleasedFile

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The request statuses in which staff prepare or release files.
WORKING = (*OPEN_STATUSES, *DECISIONS, Status.IMPLEMENTED)
MAX_REASON = 200


def _bad_file(code: str) -> DisclosureError:
    messages = {
        "not_pdf": _("This file is not a PDF (judged by its contents, not its name). Upload a PDF file."),
        "unsupported": _("This kind of file cannot be released. Upload a PDF, or a Word (docx) or Excel (xlsx) file."),
        "encrypted": _("This PDF is protected by a password. Upload a copy without a password."),
        "broken": _("This file is damaged and cannot be read. Save it again and upload the new copy."),
        "no_page": _("This page does not exist in the file."),
    }
    return DisclosureError(messages.get(code, messages["broken"]), code=f"file_{code}")


def _check_size(data: bytes) -> None:
    limit = settings.DISCLOSURE_RELEASE_MAX_BYTES
    if not data:
        raise DisclosureError(_("The file is empty."), code="file_empty")
    if len(data) > limit:
        raise DisclosureError(
            _("The file is larger than %(mb)s MB. Split it or reduce it, then upload again.")
            % {"mb": limit // (1024 * 1024)},
            code="file_too_large",
        )


def _check_request(request: Request) -> None:
    if request.published_at is not None:
        raise DisclosureError(_("The request is published: its released files can no longer change."), code="published")
    if request.status not in WORKING:
        raise DisclosureError(
            _("No files are released on a request that is “%(status)s”.") % {"status": request.get_status_display()},
            code="not_releasing",
        )


def _pdf_pages(data: bytes) -> int:
    try:
        with redaction.open_pdf(data) as doc:
            return doc.page_count
    except redaction.BadFile as error:
        raise _bad_file(error.code) from error


def _clean_name(name: str, kind: str) -> str:
    name = (name or "").replace("/", "_").replace("\\", "_").strip() or "file"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:200]}.{kind}"


def _lock(request: Request) -> Request:
    locked = Request.objects.select_for_update().get(pk=request.pk)
    request.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return request


def _announce(request: Request, released: ReleasedFile) -> None:
    """After the decision, tell the requester a new file is on their request page."""
    if request.status not in (*DECISIONS, Status.IMPLEMENTED):
        return
    from disclosure.services import request_url
    from notifications.services import queue_templated_mail

    queue_templated_mail(
        template="disclosure_update",
        context={
            "request": request,
            "headline": gettext_lazy("A file has been added to your disclosure request."),
            "body": gettext_lazy("You can download it from your request page."),
            "show_deadline": False,
            "url": request_url(request),
        },
        to_email=request.email,
        recipient=request.user,
        idempotency_key=f"disclosure-released-{released.pk}",
        category="disclosure",
    )


def _store(request: Request, *, by, kind: str, name: str, data: bytes, file_kind: str, pages: int, redacted: bool):
    released = ReleasedFile(
        request=request,
        kind=kind,
        name=_clean_name(name, file_kind),
        content_type=CONTENT_TYPES[file_kind],
        size=len(data),
        pages=pages,
        redacted=redacted,
        created_by=by,
    )
    # A random stored name: the file's name is only in the row.
    released.file.save(f"{uuid.uuid4().hex}.{file_kind}", ContentFile(data), save=False)
    stored = released.file.name
    try:
        released.save()
    except Exception:
        released.file.storage.delete(stored)  # nothing is saved on error
        raise
    return released


@transaction.atomic
def release_file(*, request: Request, by, kind: str, name: str, data: bytes) -> ReleasedFile:
    """Attach the decision letter (a PDF) or a disclosed document (a PDF; Word or Excel only for 全部開示).

    For 部分開示 the documents come out of the redaction tool; an unredacted PDF is refused.
    """
    _lock(request)
    _check_request(request)
    _check_size(data)
    if kind not in ReleasedFile.Kind.values:
        raise DisclosureError(_("Choose one of the options offered."), code="bad_choice")
    try:
        file_kind = redaction.sniff(data)
    except redaction.BadFile as error:
        raise _bad_file(error.code) from error
    if kind == ReleasedFile.Kind.LETTER and file_kind != "pdf":
        raise _bad_file("not_pdf")
    if kind == ReleasedFile.Kind.DOCUMENT and request.status == Status.PARTIAL:
        raise DisclosureError(
            _("For a partial disclosure, documents are released through the redaction tool."),
            code="needs_redaction",
        )
    if file_kind != "pdf" and request.status != Status.DISCLOSED:
        raise DisclosureError(
            _(
                "A Word or Excel file is released as it is, so only after a decision of full disclosure (全部開示). "
                "To redact it, save it as PDF and use the redaction tool."
            ),
            code="office_needs_full_disclosure",
        )
    pages = _pdf_pages(data) if file_kind == "pdf" else 0
    released = _store(request, by=by, kind=kind, name=name, data=data, file_kind=file_kind, pages=pages, redacted=False)
    _announce(request, released)
    return released


@transaction.atomic
def remove_file(*, released: ReleasedFile, by) -> None:
    """Remove a released file (a wrong letter, a redaction to redo) while the request is not published."""
    request = _lock(released.request)
    if request.published_at is not None:
        raise DisclosureError(_("The request is published: its released files can no longer change."), code="published")
    storage, name = released.file.storage, released.file.name
    released.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- The redaction tool ----------------------------------------------------------------------
@transaction.atomic
def start_redaction(*, request: Request, by, name: str, data: bytes) -> RedactionDraft:
    """Put the original PDF of a document to redact into a draft (private; never released as it is)."""
    _lock(request)
    _check_request(request)
    _check_size(data)
    pages = _pdf_pages(data)
    draft = RedactionDraft(request=request, name=_clean_name(name, "pdf"), pages=pages, created_by=by)
    draft.original.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    stored = draft.original.name
    try:
        draft.save()
    except Exception:
        draft.original.storage.delete(stored)
        raise
    return draft


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError(
            _("Give the reason for each redaction: the ordinance article, e.g. 第7条第2号."), code="missing_reason"
        )
    if len(reason) > MAX_REASON:
        raise DisclosureError(
            _("The reason is too long (at most %(max)s characters).") % {"max": MAX_REASON}, code="too_long"
        )
    return reason


def _original(draft: RedactionDraft) -> bytes:
    with draft.original.storage.open(draft.original.name, "rb") as handle:
        return handle.read()


def _check_draft(draft: RedactionDraft) -> None:
    _lock(draft.request)
    _check_request(draft.request)


@transaction.atomic
def add_box(*, draft: RedactionDraft, by, page: int, x0: float, y0: float, x1: float, y1: float, reason: str):
    """Add a box (page from 1, PDF points from the top left); it is clipped to the page and must not be empty."""
    _check_draft(draft)
    reason = _reason(reason)
    sizes = redaction.page_sizes(_original(draft))
    if not 1 <= page <= len(sizes):
        raise DisclosureError(_("Choose a page from 1 to %(pages)s.") % {"pages": len(sizes)}, code="bad_page")
    width, height = sizes[page - 1]
    x0, x1 = sorted((max(0.0, min(x0, width)), max(0.0, min(x1, width))))
    y0, y1 = sorted((max(0.0, min(y0, height)), max(0.0, min(y1, height))))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise DisclosureError(
            _("The box is empty or outside the page (the page is %(width)s × %(height)s points).")
            % {"width": round(width), "height": round(height)},
            code="empty_box",
        )
    return RedactionBox.objects.create(draft=draft, page=page, x0=x0, y0=y0, x1=x1, y1=y1, reason=reason)


@transaction.atomic
def add_phrase(*, draft: RedactionDraft, by, phrase: str, reason: str) -> list[RedactionBox]:
    """Add a box over every occurrence of ``phrase`` on every page (names, addresses …)."""
    _check_draft(draft)
    reason = _reason(reason)
    phrase = (phrase or "").strip()
    if not phrase:
        raise DisclosureError(_("Write the words to redact."), code="missing_phrase")
    found = redaction.find_phrase(_original(draft), phrase)
    if not found:
        raise DisclosureError(
            _("“%(phrase)s” was not found in the text of the file (a scanned page has no text: draw a box instead).")
            % {"phrase": phrase},
            code="phrase_not_found",
        )
    return RedactionBox.objects.bulk_create(
        RedactionBox(draft=draft, page=box.page, x0=box.x0, y0=box.y0, x1=box.x1, y1=box.y1, reason=reason)
        for box in found
    )


@transaction.atomic
def remove_box(*, box: RedactionBox, by) -> None:
    """Remove a box from a draft."""
    _check_draft(box.draft)
    box.delete()


def short_reason(reason: str) -> str:
    """The article printed in the box: 「第7条第2号（個人に関する情報）」 → 「第7条第2号」."""
    for bracket in ("（", "("):
        reason = reason.split(bracket, 1)[0]
    return reason.strip()[:30]


@transaction.atomic
def apply_redaction(*, draft: RedactionDraft, by, name: str = "") -> ReleasedFile:
    """Remove what lies under every box and release the result as a redacted document.

    Applying again replaces the earlier result. A draft without boxes is refused (release the file
    as it is instead).
    """
    _check_draft(draft)
    boxes = list(draft.boxes.all())
    if not boxes:
        raise DisclosureError(_("Add at least one box before applying the redaction."), code="no_boxes")
    try:
        output = redaction.redact(
            _original(draft),
            [redaction.Box(b.page, b.x0, b.y0, b.x1, b.y1, label=short_reason(b.reason)) for b in boxes],
        )
    except redaction.BadFile as error:
        raise _bad_file(error.code) from error
    _check_size(output)
    if draft.output_id:
        remove_file(released=draft.output, by=by)
    stem = (name or "").strip() or draft.name.rsplit(".", 1)[0] + "_部分開示"
    released = _store(
        draft.request,
        by=by,
        kind=ReleasedFile.Kind.DOCUMENT,
        name=stem,
        data=output,
        file_kind="pdf",
        pages=draft.pages,
        redacted=True,
    )
    draft.output = released
    draft.save(update_fields=["output"])
    _announce(draft.request, released)
    return released
