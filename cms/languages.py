"""The town site's languages: Japanese (the default, at /), English (/en/) and easy Japanese (/ja-x-easy/).

Staff write the English and easy-Japanese pages by hand from the Japanese ones (Wagtail's
simple_translation: "Translate" copies a page into the other locale as a draft, to be rewritten
and published). A page that has not been translated does not exist in that language.

Which language a request is shown in:

- A page's URL decides, for its content and the whole UI around it: ``/kurashi/`` is Japanese,
  ``/en/kurashi/`` English, whatever the browser asks for and whatever a signed-in resident's
  profile says. The language switcher on a page links to the same page in the other languages.
- Everything else (sign-in, ``/my/``, search, the admin) keeps the visitor's choice: the language
  cookie set by the switcher form, then a signed-in resident's profile language
  (``portal.middleware.UserLanguageMiddleware``), then the browser's Accept-Language, then Japanese.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.http import Http404
from django.urls import LocalePrefixPattern, Resolver404, get_resolver, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms.models import page_full_url

EASY_JAPANESE = "ja-x-easy"

# Each language's name in itself, as a switcher shows it.
LOCAL_NAMES = {"ja": "日本語", "en": "English", EASY_JAPANESE: "やさしい日本語"}

# Screen readers and browsers need a real language: easy Japanese is Japanese to them. The
# private-use code stays in URLs, hreflang and Wagtail's locales.
HTML_LANGS = {EASY_JAPANESE: "ja"}

OPEN_GRAPH_LOCALES = {"ja": "ja_JP", "en": "en_US", EASY_JAPANESE: "ja_JP"}


def html_lang(language_code: str) -> str:
    """The ``lang`` attribute for content in ``language_code``: easy Japanese is ``ja``."""
    return HTML_LANGS.get(language_code, language_code)


def local_name(language_code: str) -> str:
    """A language's name in that language (「やさしい日本語」, "English")."""
    return LOCAL_NAMES.get(language_code) or translation.get_language_info(language_code)["name_local"]


def content_language() -> str:
    """The Wagtail content language of the active UI language (Japanese when there is none)."""
    try:
        return get_supported_content_language_variant(translation.get_language())
    except LookupError:
        return settings.LANGUAGE_CODE


def home_path(language_code: str) -> str:
    """The URL path of the site's home page in ``language_code``: ``/``, ``/en/``, ``/ja-x-easy/``."""
    with translation.override(language_code):
        return reverse("wagtail_serve", args=("",))


# --- Which language a request is shown in -------------------------------------------------


def is_page_url(path_info: str, urlconf=None) -> bool:
    """Whether ``path_info`` is served by the language-prefixed URLs (the Wagtail pages).

    Found from the URLconf itself: the first top-level pattern that matches the path decides,
    as it does when Django resolves the request.
    """
    if translation.get_language_from_path(path_info):
        return True
    with translation.override(settings.LANGUAGE_CODE):  # unprefixed i18n URLs match only in it
        for pattern in get_resolver(urlconf).url_patterns:
            try:
                match = pattern.resolve(path_info[1:])
            except Resolver404:
                continue
            if match:
                return isinstance(pattern.pattern, LocalePrefixPattern)
    return False


class LocaleMiddleware(MiddlewareMixin):
    """Django's LocaleMiddleware, except that only page URLs let the URL decide the language.

    With ``i18n_patterns(prefix_default_language=False)`` Django would show every unprefixed
    URL in Japanese, the switcher's cookie notwithstanding; here that holds for pages only.
    ``request.language_from_url`` tells later middleware (the profile language) to keep out.
    """

    def process_request(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        request.language_from_url = is_page_url(request.path_info, urlconf)
        if request.language_from_url:
            language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        else:
            language = translation.get_language_from_request(request, check_path=False)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if not getattr(request, "language_from_url", False):
            # The same URL answers in different languages: caches must keep them apart.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", html_lang(translation.get_language()))
        return response


@hooks.register("before_serve_page")
def serve_pages_only_in_their_language(page, request, args, kwargs):
    """A page is found only under its own language's URL: an untranslated page is not at /en/….

    Wagtail would otherwise route /en/… through the Japanese home page while English has no home
    page of its own, showing Japanese pages with an English UI.
    """
    if page.locale.language_code != content_language():
        raise Http404


# --- Pages in the other languages ----------------------------------------------------------


def localized_home(site: Site) -> tuple[Page, str]:
    """The site's live home page in the active language and that language.

    The site's root page is in the default language (Japanese); without a live translation of it
    the Japanese home page is given. No query when Japanese is active.
    """
    root = site.root_page
    language = content_language()
    if language != settings.LANGUAGE_CODE:
        translated = root.get_translations().live().filter(locale__language_code=language).first()
        if translated is not None:
            return translated, language
    return root, settings.LANGUAGE_CODE


@dataclass(frozen=True)
class LanguageLink:
    """One language in a page's language switcher."""

    code: str  # the content language: ja, en, ja-x-easy
    name: str  # its name in itself
    label: str  # what the link says, in that language
    url: str
    lang: str  # html lang of the label
    current: bool
    translated: bool  # False: the link goes to that language's home page instead


@dataclass(frozen=True)
class Alternate:
    """A ``<link rel="alternate" hreflang>`` of a page."""

    hreflang: str
    url: str


def _live_translations(page: Page, request=None) -> dict[str, Page]:
    """The page and its live translations, by language code.

    One query per page and request: the language switcher and the hreflang links of the same
    page share the answer, kept on the request.
    """
    known = getattr(request, "_live_translations", None) if request is not None else None
    if known is not None and page.translation_key in known:
        return known[page.translation_key]
    pages = Page.objects.filter(translation_key=page.translation_key).live().select_related("locale")
    result = {p.locale.language_code: p for p in pages}
    if request is not None:
        if known is None:
            known = request._live_translations = {}
        known[page.translation_key] = result
    return result


def _live_homes(site: Site, request=None) -> dict[str, Page]:
    return _live_translations(site.root_page, request) if site is not None else {}


def language_links(page: Page, request=None) -> list[LanguageLink]:
    """The switcher's links on ``page``: the same page in each language, or that language's home page.

    A language with neither a translation of the page nor a home page of its own is left out.
    Listed in the order of ``settings.LANGUAGES``.
    """
    site = Site.find_for_request(request) if request is not None else page.get_site()
    translations = _live_translations(page, request)
    homes = _live_homes(site, request) if len(translations) < len(settings.WAGTAIL_CONTENT_LANGUAGES) else {}
    links = []
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        target = translations.get(code)
        translated = target is not None
        if target is None:
            target = homes.get(code)
        url = target.get_url(request) if target is not None else None
        if not url:
            continue
        name = local_name(code)
        if translated:
            label = name
        else:
            with translation.override(code):
                label = gettext("%(language)s (home page)") % {"language": name}
        links.append(
            LanguageLink(
                code=code,
                name=name,
                label=label,
                url=url,
                lang=html_lang(code),
                current=code == page.locale.language_code,
                translated=translated,
            )
        )
    return links


def alternates(page: Page, request=None) -> list[Alternate]:
    """hreflang alternates of ``page``: each live translation, and x-default for the Japanese one.

    Empty for a page that exists in one language only.
    """
    translations = _live_translations(page, request)
    if len(translations) < 2:
        return []
    result = []
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        if code in translations:
            url = page_full_url(translations[code], request)
            if url:
                result.append(Alternate(hreflang=code, url=url))
    default = translations.get(settings.LANGUAGE_CODE)
    if default is not None and (url := page_full_url(default, request)):
        result.append(Alternate(hreflang="x-default", url=url))
    return result


# --- Locales in every database -------------------------------------------------------------


def ensure_locales(**kwargs) -> None:
    """A Wagtail locale for every content language (post_migrate; does nothing when they exist).

    No migration: locales are data that follow ``WAGTAIL_CONTENT_LANGUAGES``, in every database
    that is migrated (a laptop's, production's, the tests').
    """
    using = kwargs.get("using", "default")
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.using(using).get_or_create(language_code=code)


def connect_signals(sender) -> None:
    """Called from ``CmsConfig.ready``."""
    post_migrate.connect(ensure_locales, sender=sender, dispatch_uid="cms.ensure_locales")


# --- Sitemap -------------------------------------------------------------------------------


class AllLanguagesSitemap(WagtailSitemap):
    """sitemap.xml: every live, public page of the site in every language.

    Wagtail's own lists the pages under the site's root page, which are the Japanese ones: the
    English and easy-Japanese home pages are its translations, beside it in the tree.
    """

    def items(self):
        homes = self.get_wagtail_site().root_page.get_translations(inclusive=True).live()
        in_a_home = Q(pk__in=[])
        for home in homes:
            in_a_home |= Q(path__startswith=home.path)
        return Page.objects.live().public().filter(in_a_home).order_by("path").defer_streamfields().specific()
