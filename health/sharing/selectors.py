"""Reads of sharing. Owner-side reads take a record the caller already got from
``health.selectors.record_for`` (so the access rule is checked once, there)."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from health import sections as registry
from health.models import Caregiver, HealthRecord, RecordAccess, ShareLink, ShareLinkView
from portal.models import MemberGuardian, User
from portal.selectors import members_visible_to

#: How many log rows the owner's pages show (the newest); older ones stay until the purge.
LOG_ROWS_SHOWN = 100


def hash_token(token: str) -> str:
    """The stored form of a share token (sha256): the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_by_token(token: str) -> ShareLink | None:
    """The link this token opens, whatever its state (the caller checks ``is_active``), or ``None``.

    The lookup is by the token's hash, so comparing in the database leaks nothing about the token.
    """
    if not token or len(token) > 200:
        return None
    links = ShareLink.objects.select_related("record__user", "record__member")
    return links.filter(token_hash=hash_token(token)).first()


def links_of(record: HealthRecord) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(record=record)


def link_of(record: HealthRecord, link_id: int) -> ShareLink | None:
    return ShareLink.objects.filter(record=record, pk=link_id).first()


def link_views_of(record: HealthRecord, link: ShareLink | None = None) -> list[ShareLinkView]:
    """The newest views of the record's links (or of one link), newest first."""
    views = ShareLinkView.objects.filter(link__record=record).select_related("link")
    if link is not None:
        views = views.filter(link=link)
    return list(views[:LOG_ROWS_SHOWN])


def caregivers_of(record: HealthRecord) -> list[Caregiver]:
    return list(Caregiver.objects.filter(record=record).select_related("user").order_by("created_at", "id"))


def caregiver_of(record: HealthRecord, caregiver_id: int) -> Caregiver | None:
    return Caregiver.objects.filter(record=record, pk=caregiver_id).select_related("user").first()


def accesses_of(record: HealthRecord) -> list[RecordAccess]:
    """The newest caregiver looks at the record, newest first."""
    return list(RecordAccess.objects.filter(record=record)[:LOG_ROWS_SHOWN])


def family_accounts_of(user: User) -> list[User]:
    """Accounts the user already looks after family members with (a spouse sharing a child, the
    owner of a household that shares a parent with the user): the people offered as caregivers."""
    members = members_visible_to(user).values("pk")
    ids = set(MemberGuardian.objects.filter(member__in=members).values_list("user_id", flat=True))
    ids |= set(members_visible_to(user).values_list("household__owner_id", flat=True))
    ids.discard(user.pk)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("family_name", "given_name", "email"))


@dataclass(frozen=True)
class ShownSection:
    section: registry.Section
    rows: Any


def shown_sections(
    record: HealthRecord, keys: list[str] | None, start: datetime.date | None, end: datetime.date | None
) -> list[ShownSection]:
    """The registered sections among ``keys`` (all when ``None``) with their rows for the range,
    in the registry's order. A key whose section is gone is skipped."""
    wanted = None if keys is None else set(keys)
    return [
        ShownSection(section=s, rows=s.rows(record, start, end))
        for s in registry.all_sections()
        if wanted is None or s.key in wanted
    ]


def section_labels(keys: list[str]) -> list[str]:
    """The labels of the registered sections among ``keys``, in the registry's order."""
    return [str(s.label) for s in registry.all_sections() if s.key in set(keys)]


def active_links_q(now) -> Q:
    return Q(revoked_at__isnull=True, expires_at__gt=now)
