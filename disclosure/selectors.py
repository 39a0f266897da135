"""Reads of disclosure requests. ``request_for(user, id)`` returns ``None`` when the user may not see it (→ 404)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from disclosure import access, deadlines
from disclosure.models import OPEN_STATUSES, ClosedDay, Message, Request
from disclosure.ordinance import TOWN_ORDINANCE
from portal.staff import DISCLOSURE


def current_ordinance() -> deadlines.Ordinance:
    """The town's ordinance with the closed days staff added."""
    return TOWN_ORDINANCE.with_closed_days(dict(ClosedDay.objects.values_list("date", "name")))


def deadline_for(
    request: Request, *, today: date | None = None, ordinance=None, extra: tuple[deadlines.Extension, ...] = ()
) -> deadlines.Deadline:
    """The request's deadline and its explanation, from its pauses and extensions (and ``extra`` ones to try)."""
    ordinance = ordinance or current_ordinance()
    pauses = [deadlines.Pause(p.started_on, p.ended_on) for p in request.pauses.all()]
    extensions = [
        deadlines.Extension(days=e.days, special=e.special, remainder_due=e.remainder_due, reason=e.reason)
        for e in request.extensions.all()
    ] + list(extra)
    return deadlines.compute(
        request.received_on, ordinance=ordinance, pauses=pauses, extensions=extensions, today=today
    )


def request_for(user, request_id: int) -> Request | None:
    """The request if the user filed it, else ``None``."""
    return access.requests_of(user).filter(pk=request_id).first()


def requests_of(user) -> list[Request]:
    """The user's requests, newest first."""
    return list(access.requests_of(user).order_by("-received_on", "-seq"))


def messages_for_requester(request: Request) -> QuerySet[Message]:
    return access.messages_for_requester(request).select_related("author")


def open_requests() -> QuerySet[Request]:
    return Request.objects.filter(status__in=OPEN_STATUSES)


def staff_recipients() -> list:
    """The active 情報公開 staff with an email address: they get the new requests and the warnings."""
    User = get_user_model()
    return list(User.objects.filter(groups__name=DISCLOSURE, is_active=True).exclude(email="").distinct())
