from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Health log")
    demo_loader = "health.demo.load_demo"  # load_demo's part, see portal/demo.py

    def ready(self) -> None:
        from health import dashboard  # noqa: F401 - registers the /my/ panel
        from health.records import sections, signals  # noqa: F401 - registers sections; files go with rows
        from health.sharing import tasks as sharing_tasks  # noqa: F401 - registers health.purge_share_logs

        self._ready_measurements()
        self._ready_child()

    def _ready_measurements(self) -> None:
        from health.measurements import reminders, section, services, tasks  # noqa: F401 - section, task names
        from notifications.unsubscribe import Topic, register_topic

        # One-click unsubscribe from a daily reminder to measure (subject: the reminder's id).
        register_topic(
            Topic(key=reminders.TOPIC, label=_("Reminder to measure"), unsubscribe=services.unsubscribe_reminder)
        )

    def _ready_child(self) -> None:
        from health.child import reminders, sections, tasks  # noqa: F401 - tasks: the worker knows its names

        # Mother and child: the pregnancy, growth and vaccination sections, and the reminders' unsubscribe topic.
        sections.register()
        reminders.register()
