"""Reads of the health log. ``*_for(user, id)`` returns ``None`` when the user may not see it (→ 404)."""

from __future__ import annotations

from health import access
from health.models import HealthRecord
from health.sharing import audit
from portal.models import User


def record_for(user: User, record_id: int) -> HealthRecord | None:
    """The record if the user may manage it (``access.manageable_records``), else ``None``.

    A caregiver opening someone else's record is written to the record-access log the owner sees
    (``health.sharing.audit``): every record page asks this selector, so every such look is logged.
    """
    record = access.manageable_records(user).filter(pk=record_id).first()
    if record is not None and audit.is_caregiver_access(user, record):
        audit.log_record_access(user=user, record=record)
    return record


def records_of(user: User) -> list[HealthRecord]:
    """The user's own record first, then the members' records they manage, by name.

    Only records that exist are listed; ``services.ensure_records`` creates the missing ones.
    """
    records = list(access.manageable_records(user))
    return sorted(records, key=lambda r: (r.user_id != user.pk, r.display_name))
