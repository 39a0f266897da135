"""Writes of the health log: keyword-only, one transaction, the rule in the docstring."""

from __future__ import annotations

from django.db import transaction

from health.models import HealthRecord
from portal.models import User
from portal.selectors import members_visible_to


@transaction.atomic
def ensure_records(*, user: User) -> None:
    """Give the user, and every household member they look after, a health record if missing.

    Safe to call on every visit: records are created once (the one-to-one keys guarantee it).
    """
    HealthRecord.objects.get_or_create(user=user)
    have = set(
        HealthRecord.objects.filter(member__in=members_visible_to(user).values("pk")).values_list(
            "member_id", flat=True
        )
    )
    for member in members_visible_to(user):
        if member.pk not in have:
            HealthRecord.objects.get_or_create(member=member)
