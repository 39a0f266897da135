from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    demo_loader = "notifications.demo.load_demo"  # load_demo's part, see portal/demo.py
    verbose_name = _("Mail and notifications")

    def ready(self) -> None:
        # The mail panel; the broadcast tasks and unsubscribe topic; the safety-mail panel on /my/.
        from notifications import broadcasts, dashboard, safety_dashboard  # noqa: F401
