from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    verbose_name = _("Facility reservation")

    def ready(self) -> None:
        from facilities import dashboard  # noqa: F401 - registers the reservations panel on /my/
