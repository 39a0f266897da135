"""Reads of the health log. ``*_for(user, id)`` returns ``None`` when the user may not see it (→ 404)."""

from __future__ import annotations

from health import access
from health.models import HealthRecord
from portal.models import User


def record_for(user: User, record_id: int) -> HealthRecord | None:
    """The record if the user may manage it (``access.manageable_records``), else ``None``."""
    return access.manageable_records(user).filter(pk=record_id).first()


def records_of(user: User) -> list[HealthRecord]:
    """The user's own record first, then the members' records they manage, by name.

    Only records that exist are listed; ``services.ensure_records`` creates the missing ones.
    """
    records = list(access.manageable_records(user))
    return sorted(records, key=lambda r: (r.user_id != user.pk, r.display_name))
