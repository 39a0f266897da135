"""Who may do what in the staff pages: the model permissions of the 施設 group (superusers too).

Viewing needs ``view_reservation``, booking and blocking ``add_reservation``, cancelling and
payments ``change_reservation``, deciding on a group ``change_club``.
"""

from __future__ import annotations

from wagtail.permission_policies import ModelPermissionPolicy

from facilities.models import Club, Reservation
from portal.admin_views import ReadOnlyPolicy

reservation_permissions = ModelPermissionPolicy(Reservation)
club_permissions = ModelPermissionPolicy(Club)


class ReservationListPolicy(ReadOnlyPolicy):
    """Wagtail's generic views of reservations only show them; changes go through the staff actions."""


class ClubPolicy(ModelPermissionPolicy):
    """Groups are registered by residents; staff may view and correct them and decide, never add or delete."""

    def user_has_permission(self, user, action):
        return action in ("view", "change") and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NoDeletePolicy(ModelPermissionPolicy):
    """Staff add and change these; deleting would take residents' applications with it."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
