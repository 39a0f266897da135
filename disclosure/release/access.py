"""Who may download a released file. The download view answers 404 to everyone else.

- A disclosed document (``Kind.DOCUMENT``) of a **published** request (``published_at`` set):
  anyone, signed in or not (the public archive).
- Otherwise the requester alone, and only once the town has decided: a document when the
  decision released documents (全部・部分開示, then 実施), the decision letter for any decision.
- A decision letter is never public: it carries the requester's name and address.
- Nobody else, staff included: 情報公開 staff open files in the Wagtail admin, where each look
  is logged. A file of an unpublished or withdrawn request is not reachable by its link.
"""

from __future__ import annotations

from disclosure.models import DECISIONS, RELEASING, Status
from disclosure.release.models import ReleasedFile
from portal.models import User

#: The statuses after which the requester may fetch what was released.
_DECIDED = (*DECISIONS, Status.IMPLEMENTED)
_RELEASED = (*RELEASING, Status.IMPLEMENTED)


def is_public(file: ReleasedFile) -> bool:
    """A disclosed document of a published request: part of the public archive."""
    return file.kind == ReleasedFile.Kind.DOCUMENT and file.request.published_at is not None


def can_download(user: User, file: ReleasedFile) -> bool:
    """The rule in this module's docstring."""
    if is_public(file):
        return True
    request = file.request
    if not (user.is_authenticated and request.user_id == user.pk):
        return False
    if file.kind == ReleasedFile.Kind.LETTER:
        return request.status in _DECIDED
    return request.status in _RELEASED
