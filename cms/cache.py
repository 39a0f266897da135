"""Page cache for anonymous visitors of the town homepage.

The rule, in plain words:

- A page (a Wagtail page view) is kept for ``PORTAL_PAGE_CACHE_SECONDS`` (60 by default, 0 turns
  the cache off) and served from the cache to the next anonymous visitor who asks for the same
  address, host and language.
- Only what every anonymous visitor would see is kept: a 200 answer to a GET or HEAD from a visitor
  without a session or messages cookie, that sets no cookie, carries no CSRF token (so forms are
  never kept) and was not made for a signed-in user.
- Any change that can show on a page (a page published, unpublished, moved or deleted, a view
  restriction, a site, a snippet such as the emergency banner or a news category, an image or a
  document) drops every kept page at once: one "generation" token in the cache is replaced, so the
  kept pages no longer match. A town site publishes a few times a day; a wholesale drop is simple and
  always right.
- A kept page never outlives an emergency banner's start or end: its lifetime is cut to the next
  moment a banner starts or ends, so a banner shows at its start and is gone at its end.
- A kept page remembers the version of the banner list it was rendered with and is served only while
  the cached list (at most 10 s old, ``cms.snippets``) has that version: even a banner change no signal
  reported shows within 10 s, the banner list's lifetime, not that plus the page's.
- The cache must be one that every process shares (Redis, or the file cache of the Quick start), so a
  page published by ``publish_scheduled``, a worker or another web process drops the pages this one keeps.

Responses carry ``X-Cache: hit`` or ``miss`` (for pages that could be served from the cache) and
``Cache-Control: max-age=0, must-revalidate`` with an ETag, so a browser or proxy revalidates every
time (a 304 costs a phone no data) and nothing in front of the portal can delay a banner.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from cms.context_processors import BANNERS_VERSION_ATTRIBUTE
from cms.snippets import BANNERS_CACHE_KEY, banners_version, upcoming_banners

logger = logging.getLogger(__name__)

GENERATION_KEY = "cms:page-cache:generation"
# "v2": entries also hold the banner version; entries kept by older code are never read back.
ENTRY_KEY_PREFIX = "cms:page-cache:v2:page:"
# Not pages, or never the same for two visitors: not even looked up.
EXCLUDED_PATH_PREFIXES = (
    "/admin/",
    "/accounts/",
    "/my/",
    "/mail/",
    "/documents/",
    "/static/",
    "/media/",
    "/i18n/",
    "/healthz",
    "/search/",
)
# Query parameters that select content (news paging and category). Any other parameter (a tracking
# tag, a random cache-buster) makes the request go uncached instead of filling the cache.
CACHED_QUERY_PARAMETERS = frozenset({"page", "category"})
CSRF_MARKER = b"csrfmiddlewaretoken"
# Saves that only fill in a lazily computed column while a page is rendered; they change nothing shown.
_METADATA_FIELDS = frozenset({"file_size", "file_hash"})


def _clock() -> datetime:
    """The current time; a seam for tests. It follows the emergency banner's own clock on purpose:
    moving one clock past a banner's end moves both, as real time does."""
    from cms import context_processors

    return context_processors._clock()


@dataclass(frozen=True)
class CachedPage:
    generation: str
    banners_version: str
    expires_at: float  # POSIX seconds, checked against _clock() so the lifetime is exact
    etag: str
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def response(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(self.content, headers=dict(self.headers))
        response["X-Cache"] = "hit"
        # A 304 when the browser already has this version.
        return get_conditional_response(request, etag=self.etag, response=response)


# --- Which requests and responses ------------------------------------------------------


def request_is_cacheable(request: HttpRequest) -> bool:
    """An anonymous GET/HEAD of a possible page address, with no cookie that makes it personal."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(EXCLUDED_PATH_PREFIXES):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies:
        # A session may hold a signed-in user, a passed page password or messages.
        return False
    if request.headers.get("Authorization"):
        return False
    return all(name in CACHED_QUERY_PARAMETERS for name in request.GET)


def response_is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    """A page every anonymous visitor would get the same: a 200 Wagtail page that sets no cookie, holds no
    CSRF token, was not made for a signed-in user and does not forbid caching itself."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not _served_by_wagtail(request):
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return CSRF_MARKER not in response.content


def _served_by_wagtail(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "wagtail_serve"


def entry_key(request: HttpRequest) -> str:
    """Host, full path (with the allowed query) and active language: what makes two pages differ."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or ""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{ENTRY_KEY_PREFIX}{language}:{digest}"


# --- Lifetime ---------------------------------------------------------------------------


def seconds_until_banner_change(now: datetime) -> float | None:
    """Seconds until an emergency banner starts or ends, or None if none is scheduled."""
    from cms.snippets import EmergencyBanner

    upcoming = EmergencyBanner.objects.filter(end__gt=now).aggregate(
        next_start=Min("start", filter=Q(start__gt=now)), next_end=Min("end")
    )
    moments = [moment for moment in upcoming.values() if moment is not None]
    if not moments:
        return None
    return (min(moments) - now).total_seconds()


def lifetime(now: datetime) -> int:
    """How long a page rendered ``now`` may be kept: the setting, cut to the next banner start or end."""
    seconds = float(settings.PORTAL_PAGE_CACHE_SECONDS)
    until_banner = seconds_until_banner_change(now)
    if until_banner is not None:
        seconds = min(seconds, until_banner)
    return int(seconds)  # rounded down: never past the banner's moment


# --- Invalidation -----------------------------------------------------------------------


def forget_all_pages() -> None:
    """Drop every kept page: the next request for any page renders it anew."""
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.exception("Could not drop the page cache.")


def _current_generation(value: str | None) -> str:
    if value is not None:
        return value
    # Missing (first use, cache cleared or evicted): start one; add() keeps a concurrent winner's.
    cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
    return cache.get(GENERATION_KEY) or ""


def content_changed(**kwargs) -> None:
    """Something shown on pages changed: drop the kept pages now and again after the commit, since a
    request running before the commit may render and keep the old content meanwhile."""
    forget_all_pages()
    transaction.on_commit(forget_all_pages)


def _model_changed(sender, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= _METADATA_FIELDS:
        return
    if _shows_on_pages(sender):
        content_changed()


def _shows_on_pages(model) -> bool:
    from wagtail.contrib.settings.models import BaseGenericSetting
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.snippets.models import get_snippet_models

    if issubclass(model, (Page, PageViewRestriction, Site, BaseGenericSetting)):
        return True  # a setting such as the town's services and contact block shows in every page's frame
    if model in (get_image_model(), get_document_model()):
        return True
    return model in get_snippet_models()


def connect_signals() -> None:
    """Called from ``CmsConfig.ready()``, so web processes and Celery workers (scheduled publishing)
    both drop the cache."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(content_changed, dispatch_uid="cms.page_cache.published")
    page_unpublished.connect(content_changed, dispatch_uid="cms.page_cache.unpublished")
    post_page_move.connect(content_changed, dispatch_uid="cms.page_cache.moved")
    post_save.connect(_model_changed, dispatch_uid="cms.page_cache.saved")
    post_delete.connect(_model_changed, dispatch_uid="cms.page_cache.deleted")


# --- Middleware -------------------------------------------------------------------------


class PageCacheMiddleware:
    """Serves kept pages to anonymous visitors and keeps new ones (see the module docstring).

    It sits right after ``LocaleMiddleware`` (the language is known) and before everything that only
    matters for a rendered page (CSRF, authentication, messages), so a hit costs one cache round trip.
    Headers set by the inner middleware (CSP, X-Frame-Options) are kept with the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PORTAL_PAGE_CACHE_SECONDS <= 0 or not request_is_cacheable(request):
            return self._uncached(request)

        key = entry_key(request)
        try:
            found = cache.get_many([GENERATION_KEY, BANNERS_CACHE_KEY, key])
            generation = _current_generation(found.get(GENERATION_KEY))
        except Exception:
            logger.exception("Page cache unavailable; serving uncached.")
            return self._uncached(request)
        entry = found.get(key)
        if entry is not None and self._fresh(entry, generation, found.get(BANNERS_CACHE_KEY)):
            return entry.response(request)

        response = self.get_response(request)
        if not response_is_cacheable(request, response):
            _mark_personal(request, response)
            if _served_by_wagtail(request):
                response["X-Cache"] = "miss"
            return response
        self._keep(key, generation, self._rendered_banners_version(request), response)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _fresh(entry: CachedPage, generation: str, banners: list | None) -> bool:
        """Nothing changed since the page was kept: same generation, not expired, and the banner list
        is cached (once it expires it is read again, by rendering) with the version the page shows."""
        if entry.generation != generation or entry.expires_at <= _clock().timestamp():
            return False
        return banners is not None and banners_version(banners) == entry.banners_version

    def _uncached(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        _mark_personal(request, response)
        return response

    @staticmethod
    def _rendered_banners_version(request: HttpRequest) -> str:
        """The banner list the page was rendered with; a page rendered without the context processor
        shows no banner, so the current list is as good as any."""
        version = getattr(request, BANNERS_VERSION_ATTRIBUTE, None)
        return version if version is not None else banners_version(upcoming_banners(_clock()))

    @staticmethod
    def _keep(key: str, generation: str, banners: str, response: HttpResponse) -> None:
        # The generation was read before rendering: if content changed meanwhile, this entry is stale at birth.
        now = _clock()
        seconds = lifetime(now)
        response["ETag"] = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
        patch_cache_control(response, max_age=0, must_revalidate=True)
        # A signed-in visitor gets another page at the same address: shared caches must tell them apart.
        patch_vary_headers(response, ("Cookie",))
        if seconds < 1:
            return
        entry = CachedPage(
            generation=generation,
            banners_version=banners,
            expires_at=now.timestamp() + seconds,
            etag=response["ETag"],
            headers=tuple((name, value) for name, value in response.items() if name.lower() != "x-cache"),
            content=response.content,
        )
        try:
            cache.set(key, entry, seconds)
        except Exception:
            logger.exception("Could not keep a page in the cache.")


def _mark_personal(request: HttpRequest, response: HttpResponse) -> None:
    """A page that was not kept may be personal (a name, a CSRF token): no shared cache may keep it."""
    if _served_by_wagtail(request) and "Cache-Control" not in response:
        patch_cache_control(response, private=True, no_cache=True)
