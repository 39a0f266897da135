from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Information disclosure")

    def ready(self) -> None:
        from disclosure import dashboard, signals, tasks  # noqa: F401 - the /my/ panel, closed days, task names
