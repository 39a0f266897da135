from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "health"
    verbose_name = _("Health log")

    def ready(self) -> None:
        from health import dashboard  # noqa: F401 - registers the /my/ panel
        from health.child import reminders, sections, tasks  # noqa: F401 - tasks: the worker knows its names

        # Mother and child: the pregnancy, growth and vaccination sections, and the reminders' unsubscribe topic.
        sections.register()
        reminders.register()
