from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety mail")

    def ready(self) -> None:
        from notifications.unsubscribe import Topic, register_topic
        from portal import demo as portal_demo
        from safety import dashboard, demo, mails, services  # noqa: F401 - dashboard registers the /my/ panel

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
        portal_demo.register("safety", demo.load_for_portal)
