from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "facilities"
    demo_loader = "facilities.demo.load_demo"  # load_demo's part, see portal/demo.py
    verbose_name = _("Facility reservation")

    def ready(self) -> None:
        from facilities import (
            dashboard,  # noqa: F401 - registers the reservations panel on /my/
            search,
            tasks,  # noqa: F401 - registers the Celery tasks, which services queue by name
        )

        search.register()  # the facility list, each facility and the lotteries in the site search
