"""Who may see or change which health record. Selectors filter with these rules; views answer 404.

- A resident manages their own record.
- A resident manages the record of a household member they look after: members of their own
  household and members shared with them (``portal.selectors.members_visible_to``). Members have no
  account, so the adults who look after them keep their log (a child's, an elderly parent's).
- An adult's own record is theirs alone unless they name a caregiver (``Caregiver``).
- Staff, superusers included, never open a person's record through the resident pages: they see
  aggregates only. A doctor sees what a share link shows (``sharing``), nothing more.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from health.models import HealthRecord
from portal.models import User
from portal.selectors import members_visible_to


def manageable_records(user: User) -> QuerySet[HealthRecord]:
    """The records the user may read and write: their own, their members', and those they care for."""
    if not user.is_authenticated:
        return HealthRecord.objects.none()
    member_ids = members_visible_to(user).values("pk")
    return (
        HealthRecord.objects.filter(Q(user=user) | Q(member__in=member_ids) | Q(caregivers__user=user))
        .select_related("user", "member")
        .distinct()
    )


def can_manage(user: User, record: HealthRecord) -> bool:
    """True when the user may read and write this record (see the module's rules)."""
    return manageable_records(user).filter(pk=record.pk).exists()
