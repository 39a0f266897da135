from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Town homepage (CMS)")

    def ready(self):
        from cms import cache

        cache.connect_signals()  # publishing drops the page cache, in web and worker processes

        from cms import languages  # registers the hook that serves a page only under its own language's URL

        languages.connect_signals(self)  # a Wagtail locale for every content language, after migrate

        from cms import search_index

        search_index.connect_signals()  # the site search index follows publishing, moves and documents
