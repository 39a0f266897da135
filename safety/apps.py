from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    demo_loader = "safety.demo.load_demo"  # load_demo's part, see portal/demo.py
    verbose_name = _("Safety mail")

    def ready(self) -> None:
        from notifications.unsubscribe import Topic, register_topic
        from safety import dashboard, mails, services  # noqa: F401 - dashboard registers the /my/ panel

        # One-click unsubscribe from tap and watch-over mails (per member) and broadcasts (per category).
        register_topic(
            Topic(
                key=mails.TAPS_TOPIC,
                label=_("Safety mail about a family member"),
                unsubscribe=services.unsubscribe_taps,
            )
        )
        register_topic(
            Topic(
                key=mails.BROADCAST_TOPIC,
                label=_("Safety broadcasts of this category"),
                unsubscribe=services.unsubscribe_category,
            )
        )
