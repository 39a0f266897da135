"""The record-access log: a caregiver opened a record that is not theirs (the owner sees it).

Kept apart from ``selectors`` so ``health.selectors.record_for`` can write it without an import loop.
"""

from __future__ import annotations

from health.models import HealthRecord, RecordAccess


def is_caregiver_access(user, record: HealthRecord) -> bool:
    """The user opens an adult's own record that is not theirs: only a caregiver can (access.py)."""
    return bool(record.user_id) and record.user_id != user.pk


def log_record_access(*, user, record: HealthRecord) -> RecordAccess:
    return RecordAccess.objects.create(record=record, user=user, user_label=(user.get_full_name() or user.email)[:200])
