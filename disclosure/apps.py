from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Information disclosure")
    # load_demo's part (portal/demo.py). When the requests add their own demo, theirs calls
    # disclosure.catalogue.demo.load_catalogue_demo() and this line goes.
    demo_loader = "disclosure.catalogue.demo.load_demo"

    def ready(self) -> None:
        from disclosure.catalogue import wagtail_hooks  # noqa: F401 - the catalogue's staff pages
