"""Who may manage the catalogue."""

from __future__ import annotations

from portal.staff import DISCLOSURE


def can_manage_catalogue(user) -> bool:
    """情報公開 staff (the group, or the add permission on catalogue documents) and superusers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        user.is_superuser
        or user.has_perm("disclosure.add_cataloguedocument")
        or user.groups.filter(name=DISCLOSURE).exists()
    )
