from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from portal.admin_views import ReadOnlyPolicy
from portal.models import AccessLog


class AccessLogViewSet(ModelViewSet):
    """Administrators (superusers) read the staff access log; no group is given it."""

    model = AccessLog
    icon = "history"
    menu_label = _("Staff access log")
    add_to_settings_menu = True
    copy_view_enabled = False
    list_display = ["at", "staff_email", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["staff_email", "object_id"]
    form_fields = ["action"]  # required by ModelViewSet; the policy never lets anyone use a form

    @property
    def permission_policy(self):
        return ReadOnlyPolicy(self.model)


@hooks.register("register_admin_viewset")
def register_access_log_viewset():
    return AccessLogViewSet("access_log")
