"""Site search for Japanese text: substring matching over the index of :mod:`cms.search_index`.

Japanese has no spaces between words, so a word-based full-text index does not find "子育て"
inside "子育て支援センター". Search here matches every word of the query as a substring of a
page's or document's folded text (NFKC, case-folded, katakana as hiragana): exact for Japanese,
with no dictionary. On PostgreSQL a pg_trgm GIN index serves the ``LIKE '%…%'`` of words of
three or more characters; shorter words and SQLite scan the index table, which takes a few
milliseconds at a town's scale (figures in docs/search.md).

Ranking: pages with the words in their title first, then the pages where the words occur most
often, then the most recently updated.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Length, Replace
from django.utils.safestring import SafeString, mark_safe
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

import portal.search_sources as search_sources
from cms.search_index import SearchEntry, restricted_collection_ids
from portal.textsearch import (  # noqa: F401 - shared with the disclosure catalogue
    MAX_QUERY_LENGTH,
    MAX_WORDS,
    SNIPPET_LEAD,
    SNIPPET_LENGTH,
    highlight,
    query_words,
    snippet,
)

RESULTS_PER_PAGE = 20


def active_locale() -> str | None:
    """The language code whose pages are searched: the active Wagtail locale when the site is multilingual."""
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    try:
        return Locale.get_active().language_code
    except Locale.DoesNotExist:
        return None


def _in_language(locale: str) -> Q:
    """Pages in ``locale``, documents, and Japanese pages not translated into ``locale``.

    Most pages exist in Japanese only; an English or easy-Japanese reader gets those rather than
    nothing (as the home page lists Japanese news), but never a page twice.
    """
    default = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    wanted = Q(locale=locale) | Q(locale="")
    if locale != default:
        translated = Page.objects.filter(locale__language_code=locale, live=True).values("translation_key")
        wanted |= Q(locale=default) & ~Q(page__translation_key__in=translated)
    return wanted


def search_entries(query: str, *, locale: str | None = None) -> QuerySet[SearchEntry]:
    """Index entries containing every word of ``query``, best first.

    A word matches anywhere in the title or text, also inside a longer word. Pages with more of
    the words in their title come first; among those, pages in ``locale``; then entries where the
    words occur more often, then the most recently published. With ``locale``, pages in that
    language, Japanese pages not translated into it, and documents (see ``_in_language``).
    Pages that are no longer live or public are never returned, even if a missed signal left
    them in the index.
    """
    words = query_words(query)
    if not words:
        return SearchEntry.objects.none()
    entries = SearchEntry.objects.all()
    for word in words:
        entries = entries.filter(search_text__contains=word)
    if locale:
        entries = entries.filter(_in_language(locale))
    entries = entries.filter(
        Q(page__in=Page.objects.live().public().values("pk"))
        | (Q(document__isnull=False) & ~Q(document__collection_id__in=restricted_collection_ids()))
        | ~Q(source="")
    )
    title_hits = sum(
        (Case(When(search_title__contains=word, then=Value(1)), default=Value(0)) for word in words), Value(0)
    )
    # Occurrences of a word = how much shorter the text gets when the word is removed, in words.
    occurrences = sum(
        (
            (Length("search_text") - Length(Replace("search_text", Value(word), Value("")))) / Value(len(word))
            for word in words
        ),
        Value(0),
    )
    return (
        entries.annotate(
            title_hits=title_hits,
            in_language=Case(When(Q(locale=locale) | Q(locale=""), then=Value(1)), default=Value(0))
            if locale
            else Value(0),
            occurrences=occurrences,
            updated=Coalesce(F("page__last_published_at"), F("updated_at")),
        )
        .select_related("page", "document")
        .defer("search_title", "search_text")
        .order_by("-title_hits", "-in_language", "-occurrences", F("updated").desc(nulls_last=True), "pk")
    )


# --- Showing results ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    title: SafeString
    url: str
    snippet: SafeString
    section: list[str]
    is_document: bool
    #: For documents, "PDF, 1.2 MB": what a resident needs to know before downloading on a phone.
    document_label: str
    updated: datetime | None
    #: ``lang`` of a result in another language than the page around it ("ja" in English results).
    lang: str = ""


def _sections(pages: list[Page], below_depth: int) -> dict[int, list[str]]:
    """Titles of each page's ancestors deeper than ``below_depth`` (the site's home page), in one query."""
    steplen = Page.steplen
    wanted = {page.pk: [page.path[: steplen * depth] for depth in range(below_depth + 1, page.depth)] for page in pages}
    paths = {path for page_paths in wanted.values() for path in page_paths}
    titles = dict(Page.objects.filter(path__in=paths).values_list("path", "title")) if paths else {}
    return {pk: [titles[path] for path in page_paths if path in titles] for pk, page_paths in wanted.items()}


def present(entries, query: str, request=None, locale: str | None = None) -> list[SearchResult]:
    """What a resident sees of each entry: title and snippet with the words marked, the section the
    page is in, and for documents the file type and size. With ``locale`` (the reader's language),
    a page in another language says so in ``lang``, for screen readers."""
    from cms.languages import html_lang
    from cms.templatetags.cms_tags import document_label

    entries = list(entries)
    words = query_words(query)
    site = Site.find_for_request(request) if request is not None else None
    home_depth = site.root_page.depth if site else 2
    sections = _sections([e.page for e in entries if e.page_id], home_depth)
    results = []
    for entry in entries:
        section = sections.get(entry.page_id, [])
        if entry.source:
            url = entry.url
            label = ""
            source = search_sources.get(entry.source)
            section = [str(source.label)] if source else []
        elif entry.page_id:
            url = entry.page.get_url(request=request) or ""
            label = ""
        else:
            url = entry.document.url
            label = document_label(entry.document)
        results.append(
            SearchResult(
                title=highlight(entry.title, words),
                url=url,
                snippet=snippet(entry.text, words) if entry.text else mark_safe(""),
                section=section,
                is_document=bool(entry.document_id),
                document_label=label,
                updated=(entry.page.last_published_at if entry.page_id else None) or entry.updated_at,
                lang=html_lang(entry.locale)
                if locale and entry.locale and html_lang(entry.locale) != html_lang(locale)
                else "",
            )
        )
    return results


@contextmanager
def _index_friendly_planner():
    """On PostgreSQL, let the planner see that the trigram index beats reading every row.

    The index table's text is stored out of line (TOAST), so PostgreSQL's default cost model
    (random_page_cost 4, made for spinning disks) prices a sequential scan far too low and picks
    it over the GIN index: 225 ms against 14 ms at 5,000 pages. 1.1 is the usual value for SSDs;
    ``SET LOCAL`` keeps it to this transaction.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def search_page(
    query: str, *, page_number=None, locale: str | None = None, request=None
) -> tuple[DjangoPage, list[SearchResult]]:
    """One page of RESULTS_PER_PAGE results for ``query``, ready to show, and the paginator page.

    The ranked ids of all matches come from one query (the count is their number), then the
    entries of this page by id: the text is read once, not once for the count and again for
    the page.
    """
    with _index_friendly_planner():
        ids = list(search_entries(query, locale=locale).values_list("pk", flat=True))
        page = Paginator(ids, RESULTS_PER_PAGE).get_page(page_number)
        found = SearchEntry.objects.select_related("page", "document").defer("search_title", "search_text")
        by_id = found.in_bulk(page.object_list)
        entries = [by_id[pk] for pk in page.object_list if pk in by_id]
    return page, present(entries, query, request, locale)
