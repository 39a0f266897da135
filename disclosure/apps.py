from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Information disclosure")
    # load_demo's part (portal/demo.py): the catalogue, published requests, the resident's own request.
    demo_loader = "disclosure.demo.load_demo"

    def ready(self) -> None:
        from disclosure import dashboard, signals, tasks  # noqa: F401 - the /my/ panel, closed days, task names
        from disclosure.appeals import wagtail_hooks as appeal_hooks  # noqa: F401 - the appeal steps' pages
        from disclosure.archive import site_search
        from disclosure.catalogue import wagtail_hooks  # noqa: F401 - the catalogue's staff pages
        from disclosure.fees import wagtail_hooks as fee_hooks  # noqa: F401 - the invoice pages
        from disclosure.release import wagtail_hooks as release_hooks  # noqa: F401 - release and redaction pages

        site_search.register()  # the public archive and each published request in the site search
