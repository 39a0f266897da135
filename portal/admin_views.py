"""Building blocks for read-only, audited admin views of residents' records."""

from __future__ import annotations

from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.permission_policies import ModelPermissionPolicy

from portal.audit import log_staff_access


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Viewing needs the model's view permission; adding, changing and deleting are never allowed."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")


class AuditedIndexView(IndexView):
    """A listing whose every view is recorded in the staff access log."""

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="list", object_type=self.model._meta.label)
        return super().get(request, *args, **kwargs)


class AuditedInspectView(InspectView):
    """A detail page whose every view is recorded in the staff access log."""

    def get(self, request, *args, **kwargs):
        log_staff_access(request=request, action="view", obj=self.object)
        return super().get(request, *args, **kwargs)
