from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class PortalConfig(AppConfig):
    default = True  # apps.py holds another AppConfig below
    name = "portal"
    verbose_name = _("Resident portal")

    def ready(self) -> None:
        from portal import dashboard_panels  # noqa: F401 - registers the portal's panels


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the portal's Japanese name fields (portal/staff_users.py)."""

    default = False
    user_viewset = "portal.staff_users.StaffUserViewSet"
