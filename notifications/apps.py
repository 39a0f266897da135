from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Mail and notifications")

    def ready(self) -> None:
        from notifications import (
            dashboard,  # noqa: F401 - registers the mail panel on /my/
            heartbeat,  # noqa: F401 - a Celery worker's heartbeat (signal handlers)
        )
