"""Who may see which disclosure request. Selectors filter with these rules; views answer 404.

- A resident sees the requests they filed, nothing else.
- Staff, superusers included, never open a request through the resident pages: 情報公開 staff
  work in the Wagtail admin, where each look is logged.
- Internal staff notes are never shown to the requester.
"""

from __future__ import annotations

from django.db.models import QuerySet

from disclosure.models import Message, Request
from portal.models import User


def requests_of(user: User) -> QuerySet[Request]:
    """The requests the user filed."""
    if not user.is_authenticated:
        return Request.objects.none()
    return Request.objects.filter(user=user)


def can_view_request(user: User, request: Request) -> bool:
    """A resident sees a request they filed."""
    return user.is_authenticated and request.user_id == user.pk


def messages_for_requester(request: Request) -> QuerySet[Message]:
    """The messages the requester sees: all but the internal staff notes."""
    return request.messages.filter(internal=False)
