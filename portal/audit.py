"""Who on the staff looked at which sensitive record, and when.

Rule: every staff view that shows a resident's health record, a child's or an elderly
person's movements, or the mails about them calls :func:`log_staff_access`. The log is
written even when the view then fails, and nobody can change it from the admin.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from portal.models import AccessLog


def log_staff_access(
    *, request: HttpRequest, action: str, obj: models.Model | None = None, object_type: str = ""
) -> AccessLog:
    user = request.user
    return AccessLog.objects.create(
        staff=user if user.is_authenticated else None,
        staff_email=getattr(user, "email", "") or "",
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        path=request.get_full_path()[:500],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )
