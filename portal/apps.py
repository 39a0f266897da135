from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Resident portal")

    def ready(self) -> None:
        from portal import dashboard_panels  # noqa: F401 - registers the portal's panels
