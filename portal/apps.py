from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig

#: Apps that hold residents' records rather than pages and snippets.
RECORD_APPS = ("portal", "notifications", "safety", "facilities", "health", "disclosure")


class PortalConfig(AppConfig):
    default = True  # apps.py holds another AppConfig below
    name = "portal"
    verbose_name = _("Resident portal")

    def ready(self) -> None:
        from portal import dashboard_panels  # noqa: F401 - registers the portal's panels

        # Residents' records (taps, mails, bookings, health logs ...) are not site content:
        # Wagtail's reference index, which shows editors where a page, image or snippet is used,
        # has nothing to learn from them, and indexing each save would cost several queries.
        for label in RECORD_APPS:
            for model in apps.get_app_config(label).get_models():
                model.wagtail_reference_index_ignore = True


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the portal's Japanese name fields (portal/staff_users.py)."""

    default = False
    user_viewset = "portal.staff_users.StaffUserViewSet"
