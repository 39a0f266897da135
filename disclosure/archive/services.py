"""Publishing decided requests in the public archive (公開アーカイブ), and taking them out again.

The rule: 情報公開 staff publish a request that has a decision (全部開示, 部分開示, 非開示, 不存在,
存否応答拒否, or 開示実施済み after one of them) — never an open, withdrawn, dismissed or transferred
one — with a title and a request text they edit. What is published is that title and text, the
receipt number, the decision with its reason and date, the department and the disclosed documents
(never the decision letter). The requester's name, representative, email, phone and address are
never published: a title or text that contains one of them is refused and nothing is written.
Unpublishing needs a reason; the request and its documents are then 404 for the public again.
Each publication, edit and removal is an event in the request's history.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from disclosure.archive.identity import identity_found
from disclosure.errors import DisclosureError
from disclosure.models import DECISIONS, Event, EventKind, Request, Status
from portal import search_sources
from portal.textsearch import display_form, fold

#: The statuses a request may be published from: a decision, or a disclosure carried out after one.
PUBLISHABLE = (*DECISIONS, Status.IMPLEMENTED)
#: The name of the archive's source in the site search (``disclosure.archive.site_search``).
SEARCH_SOURCE = "disclosure_archive"
MAX_TITLE = 200
MAX_TEXT = 4000


def can_publish(request: Request) -> bool:
    """A request with a decision (or whose disclosure was carried out) may be published."""
    return request.status in PUBLISHABLE


def prefill(request: Request) -> dict[str, str]:
    """The title and text staff start from: what was published before, else the request's own words."""
    document = display_form(request.document)
    return {
        "title": request.public_title or document[:60],
        "text": request.public_text or request.document.strip(),
    }


def search_text(request: Request) -> str:
    """What the archive search matches: the published title and text, number, department and reason, folded."""
    parts = [request.public_title, request.public_text, request.number, request.department, request.reason]
    return fold(display_form(" ".join(part for part in parts if part)))


def _clean(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DisclosureError(_("Please write the %(what)s.") % {"what": what}, code="missing_text")
    if len(value) > limit:
        raise DisclosureError(
            _("The %(what)s is too long (at most %(max)s characters).") % {"what": what, "max": limit},
            code="too_long",
        )
    return value


def _account_identity(request: Request) -> dict[str, tuple[str, ...]]:
    """The names (kanji and kana) and email of the requester's account, which may differ from the request's."""
    user = request.user
    if user is None:
        return {}
    kana = f"{getattr(user, 'family_name_kana', '')} {getattr(user, 'given_name_kana', '')}"
    return {"other_names": (user.get_full_name(), kana), "other_emails": (user.email,)}


def _refuse_identity(request: Request, title: str, text: str) -> None:
    found = identity_found(
        f"{title}\n{text}",
        name=request.name,
        representative=request.representative,
        email=request.email,
        phone=request.phone,
        address=request.address,
        **_account_identity(request),
    )
    if found:
        labels = {
            "name": pgettext("requester identity", "name"),
            "email": pgettext("requester identity", "email address"),
            "phone": pgettext("requester identity", "phone number"),
            "address": pgettext("requester identity", "address"),
        }
        raise DisclosureError(
            _(
                "The title or text contains the requester's %(what)s. The requester's identity is never "
                "published: remove it and publish again."
            )
            % {"what": pgettext("list separator", ", ").join(labels[key] for key in found)},
            code="identity_in_text",
            found=found,
        )


def _lock(request: Request) -> Request:
    locked = Request.objects.select_for_update().get(pk=request.pk)
    request.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return request


@transaction.atomic
def publish(*, request: Request, by, title: str, text: str) -> Request:
    """Publish the decided request with the title and text staff edited (or save the edit of a
    published one). Refused, with nothing written, for a request without a decision or when the
    title or text names the requester (name with or without spaces, email, phone, address)."""
    _lock(request)
    if not can_publish(request):
        raise DisclosureError(
            _("Only a decided request can be published; this one is “%(status)s”.")
            % {"status": request.get_status_display()},
            code="not_decided",
        )
    title = display_form(_clean(title, _("published title"), MAX_TITLE))
    text = _clean(text, _("published request text"), MAX_TEXT)
    _refuse_identity(request, title, text)
    already = request.published_at is not None
    request.public_title = title
    request.public_text = text
    request.published_at = request.published_at or timezone.now()
    request.archive_search_text = search_text(request)
    request.save(update_fields=["public_title", "public_text", "published_at", "archive_search_text"])
    kind = EventKind.PUBLICATION_EDITED if already else EventKind.PUBLISHED
    Event.objects.create(request=request, kind=kind, status=request.status, actor=by, note=title)
    search_sources.changed(SEARCH_SOURCE)
    return request


@transaction.atomic
def unpublish(*, request: Request, by, reason: str) -> Request:
    """Take a published request out of the archive, for a reason staff write. Its page and its
    disclosed documents are 404 for the public from then on; the edited title and text are kept
    for a later publication."""
    _lock(request)
    if request.published_at is None:
        raise DisclosureError(_("This request is not published."), code="not_published")
    reason = _clean(reason, _("reason"), MAX_TEXT)
    request.published_at = None
    request.archive_search_text = ""
    request.save(update_fields=["published_at", "archive_search_text"])
    Event.objects.create(request=request, kind=EventKind.UNPUBLISHED, status=request.status, actor=by, note=reason)
    search_sources.changed(SEARCH_SOURCE)
    return request
