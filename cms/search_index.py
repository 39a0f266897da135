"""The site search index: one row per live, public page and per public document.

Japanese has no spaces between words, so the index keeps plain text rather than words and
search matches substrings of it (see :mod:`cms.search` and docs/search.md). The rows are kept
in step with the site by Wagtail's signals, inside the editor's transaction:

- a page is (re)indexed when it is published, moved or copied live, and dropped when it is
  unpublished, deleted or put behind a view restriction (and indexed again when that goes);
- a document is (re)indexed when it is saved, dropped when it is deleted or its collection
  gets a view restriction.

``python manage.py rebuild_search_index`` rebuilds every row and is safe to run at any time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents import get_document_model, get_document_model_string
from wagtail.fields import RichTextField, StreamValue
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction
from wagtail.rich_text import RichText, get_text_for_indexing
from wagtail.search import index

import portal.search_sources as search_sources
from portal.textsearch import display_form, fold  # noqa: F401 - the folding both searches share

logger = logging.getLogger(__name__)

#: Longest plain text kept per page or document; a town page is a few thousand characters.
MAX_TEXT_CHARS = 100_000
#: Text files (.txt, .csv) bigger than this are indexed by their first part only.
MAX_DOCUMENT_BYTES = 1_000_000
#: Documents whose contents are read into the index; any other file by title and file name only.
TEXT_DOCUMENT_EXTENSIONS = {"txt", "csv"}
#: Page fields indexed besides those the page type declares in ``search_fields``.
EXTRA_PAGE_FIELDS = ("search_description",)


class SearchEntry(models.Model):
    """The searchable text of one live, public page or one public document."""

    page = models.OneToOneField(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("page")
    )
    document = models.OneToOneField(
        get_document_model_string(),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    #: A service's public page (``portal.search_sources``): the source's name, the page's key and URL.
    source = models.CharField(_("source"), max_length=50, blank=True)
    source_key = models.CharField(_("key in the source"), max_length=100, blank=True)
    url = models.CharField(_("address"), max_length=300, blank=True)
    locale = models.CharField(
        _("language"), max_length=100, blank=True, help_text=_("Language code of the page; empty for documents.")
    )
    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"), blank=True, help_text=_("Plain text shown in result snippets."))
    search_title = models.TextField(_("title for matching"), blank=True)
    search_text = models.TextField(_("text for matching"), blank=True, help_text=_("Title and text, folded."))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(page__isnull=False, document__isnull=True, source="")
                | Q(page__isnull=True, document__isnull=False, source="")
                | (Q(page__isnull=True, document__isnull=True) & ~Q(source="")),
                name="cms_searchentry_page_document_or_source",
            ),
            models.UniqueConstraint(
                fields=["source", "source_key"], condition=~Q(source=""), name="cms_searchentry_unique_source_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- Plain text of pages ----------------------------------------------------------------


#: Tags whose content is a separate piece of text: table cells, list items, paragraphs, line breaks.
_SEPARATE_TAGS = re.compile(r"<(/?)(td|th|tr|li|dt|dd|p|div|br|h[1-6]|caption)\b", re.IGNORECASE)


def _rich_text(html: str) -> str:
    # A space before each cell, item and paragraph: 「受付時間」「8:30」 must not read 「受付時間8:30」.
    return get_text_for_indexing(_SEPARATE_TAGS.sub(r" <\1\2", html or ""))


def block_text(block: blocks.Block, value) -> Iterator[str]:
    """The words a resident reads in one block: text, table cells, questions and answers, steps,
    link texts, the titles of linked documents and departments; not choices like "Level 2"."""
    if value is None:
        return
    if isinstance(block, blocks.StreamBlock):
        for child in value:
            yield from block_text(child.block, child.value)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            yield from block_text(block.child_block, item)
    elif isinstance(block, blocks.StructBlock):
        has_image = any(isinstance(child, ImageChooserBlock) for child in block.child_blocks.values())
        for name, child_block in block.child_blocks.items():
            if has_image and name == "alt":
                continue  # alternative text repeats the picture for screen readers; the caption is what all read
            yield from block_text(child_block, value.get(name))
    elif isinstance(block, blocks.RichTextBlock):
        yield _rich_text(value.source if isinstance(value, RichText) else str(value))
    elif isinstance(block, TableBlock):
        yield value.get("table_caption") or ""
        for row in value.get("data") or []:
            yield from (str(cell) for cell in row if cell)
    elif isinstance(block, ImageChooserBlock | blocks.ChoiceBlock | blocks.BooleanBlock):
        return  # an image has no text of its own (its caption is indexed); a choice is layout, not content
    elif isinstance(block, blocks.ChooserBlock):
        yield getattr(value, "title", "") or ""  # a linked department or document, by its title
    elif isinstance(block, blocks.FieldBlock):
        yield str(value)


def _field_text(page: Page, name: str) -> Iterator[str]:
    value = getattr(page, name, None)
    if not value:
        return
    if isinstance(value, StreamValue):
        yield from block_text(value.stream_block, value)
        return
    try:
        field = page._meta.get_field(name)
    except FieldDoesNotExist:  # a search field may be a method or property
        field = None
    yield _rich_text(str(value)) if isinstance(field, RichTextField) else str(value)


def page_text(page: Page) -> str:
    """The plain text of a page besides its title: every field its type declares searchable
    (summary, body, venue…) and the search description."""
    names = [f.field_name for f in page.search_fields if isinstance(f, index.SearchField) and f.field_name != "title"]
    names += [name for name in EXTRA_PAGE_FIELDS if name not in names]
    parts = [part for name in names for part in _field_text(page, name)]
    return display_form(" ".join(parts))[:MAX_TEXT_CHARS]


# --- Plain text of documents ------------------------------------------------------------


def _decode(data: bytes) -> str:
    # Spreadsheets exported on Japanese Windows are Shift_JIS (cp932) more often than UTF-8.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="ignore")


def document_text(document) -> str:
    """The file name, and for .txt and .csv files their contents (PDFs and office files: name only)."""
    parts = [document.filename]
    if document.file_extension.lower() in TEXT_DOCUMENT_EXTENSIONS:
        try:
            with document.open_file() as f:
                parts.append(_decode(f.read(MAX_DOCUMENT_BYTES)).replace(",", " ").replace("\t", " "))
        except (OSError, ValueError):
            logger.warning("Could not read document %s for the search index", document.pk)
    return display_form(" ".join(parts))[:MAX_TEXT_CHARS]


# --- Which pages and documents belong in the index ----------------------------------------


def is_searchable_page(page: Page) -> bool:
    """Live pages below the root that nobody needs to log in or enter a password for."""
    if page.depth <= 1 or not page.live:
        return False
    return not PageViewRestriction.objects.filter(page__in=page.get_ancestors(inclusive=True)).exists()


def restricted_collection_ids() -> set[int]:
    """Collections whose documents need a login or password: restricted ones and those inside them."""
    ids: set[int] = set()
    for restriction in CollectionViewRestriction.objects.select_related("collection"):
        ids.update(restriction.collection.get_descendants(inclusive=True).values_list("pk", flat=True))
    return ids


def is_searchable_document(document, restricted: set[int] | None = None) -> bool:
    """Documents outside restricted collections (Wagtail serves them to anybody)."""
    if restricted is None:
        restricted = restricted_collection_ids()
    return document.collection_id not in restricted


# --- Writes -------------------------------------------------------------------------------


def _save_entry(lookup: dict, title: str, text: str, locale: str, updated_at, url: str = "") -> None:
    SearchEntry.objects.update_or_create(
        **lookup,
        defaults={
            "url": url[:300],
            "title": title[:255],
            "text": text,
            "search_title": fold(display_form(title)),
            "search_text": fold(display_form(title) + " " + text),
            "locale": locale,
            "updated_at": updated_at or timezone.now(),
        },
    )


def index_page(page: Page) -> None:
    """Put the live content of ``page`` in the index, or take it out if it is no longer live and public."""
    page = Page.objects.filter(pk=page.pk).select_related("locale").first()
    if page is None or not is_searchable_page(page):
        SearchEntry.objects.filter(page_id=getattr(page, "pk", None)).delete()
        return
    specific = page.specific
    _save_entry(
        {"page": page},
        title=specific.title,
        text=page_text(specific),
        locale=page.locale.language_code,
        updated_at=specific.last_published_at,
    )


def index_subtree(page: Page) -> None:
    """Re-index ``page`` and its descendants, e.g. after a move or a change of view restriction."""
    page = Page.objects.get(pk=page.pk)  # the caller's instance may hold the path from before a move
    for pk in Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True):
        index_page(Page(pk=pk))


def remove_page(page: Page) -> None:
    SearchEntry.objects.filter(page_id=page.pk).delete()


def index_document(document, restricted: set[int] | None = None) -> None:
    """Put ``document`` in the index (title, file name, text of .txt/.csv), unless its collection is restricted."""
    if not is_searchable_document(document, restricted):
        SearchEntry.objects.filter(document_id=document.pk).delete()
        return
    _save_entry(
        {"document": document},
        title=document.title,
        text=document_text(document),
        locale="",
        updated_at=document.created_at,
    )


def index_source(name: str) -> int:
    """Write the rows of the service source ``name`` (``portal.search_sources``) and drop its old ones.

    Returns the number of rows; a source that is no longer registered loses all its rows.
    """
    source = search_sources.get(name)
    documents = list(source.documents()) if source else []
    now = timezone.now()
    for document in documents:
        _save_entry(
            {"source": name, "source_key": document.key},
            title=document.title,
            text=display_form(document.text)[:MAX_TEXT_CHARS],
            locale="",
            updated_at=now,
            url=document.url,
        )
    SearchEntry.objects.filter(source=name).exclude(source_key__in=[d.key for d in documents]).delete()
    return len(documents)


def index_collection_documents(collection: Collection) -> None:
    restricted = restricted_collection_ids()
    collections = collection.get_descendants(inclusive=True)
    for document in get_document_model().objects.filter(collection__in=collections):
        index_document(document, restricted)


def rebuild_index() -> tuple[int, int]:
    """Index every live, public page and public document again and drop every other row.

    Idempotent; returns the number of pages and documents in the index afterwards.
    """
    with transaction.atomic():
        languages = dict(Locale.objects.values_list("pk", "language_code"))
        searchable_pages = Page.objects.live().public().filter(depth__gt=1)
        pages = 0
        for page in searchable_pages.specific().iterator(chunk_size=200):
            _save_entry(
                {"page_id": page.pk},
                title=page.title,
                text=page_text(page),
                locale=languages.get(page.locale_id, ""),
                updated_at=page.last_published_at,
            )
            pages += 1
        restricted = restricted_collection_ids()
        searchable_documents = get_document_model().objects.exclude(collection__in=restricted)
        documents = 0
        for document in searchable_documents.iterator(chunk_size=200):
            index_document(document, restricted)
            documents += 1
        for source in search_sources.sources():
            index_source(source.name)
        SearchEntry.objects.exclude(source="").exclude(source__in=[s.name for s in search_sources.sources()]).delete()
        SearchEntry.objects.filter(page__isnull=False).exclude(page__in=searchable_pages.values("pk")).delete()
        SearchEntry.objects.filter(document__isnull=False).exclude(
            document__in=searchable_documents.values("pk")
        ).delete()
    return pages, documents


# --- Signals ------------------------------------------------------------------------------


def _safely(action, *args) -> None:
    """Run an index update without ever failing the editor's publish or upload.

    A savepoint keeps the editor's transaction usable if the update fails; the failure is
    logged and ``rebuild_search_index`` repairs the row.
    """
    try:
        with transaction.atomic():
            action(*args)
    except Exception:
        logger.exception("Search index update failed (%s); run rebuild_search_index", action.__name__)


def _on_page_published(sender, instance, **kwargs):
    _safely(index_page, instance)


def _on_page_unpublished(sender, instance, **kwargs):
    _safely(remove_page, instance)


def _on_page_moved(sender, instance, **kwargs):
    # A move can put a page behind (or out from behind) a section's view restriction.
    _safely(index_subtree, instance)


def _index_subtree_of(page_id: int) -> None:
    page = Page.objects.filter(pk=page_id).first()
    if page is not None:  # gone if the restriction went with its page
        index_subtree(page)


def _on_page_restriction_saved(sender, instance, **kwargs):
    _safely(_index_subtree_of, instance.page_id)  # at once: the pages leave the index with the restriction


def _on_page_restriction_deleted(sender, instance, **kwargs):
    # After the commit: when a page is deleted its restriction goes first, and indexing the page
    # then would leave a row pointing at a deleted page.
    page_id = instance.page_id
    transaction.on_commit(lambda: _safely(_index_subtree_of, page_id))


def _on_document_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= {"file_size", "file_hash"}:
        return  # Wagtail caching a file's size or hash; nothing a resident searches changed
    _safely(index_document, instance)


def _index_collection_of(collection_id: int) -> None:
    collection = Collection.objects.filter(pk=collection_id).first()
    if collection is not None:
        index_collection_documents(collection)


def _on_collection_restriction_saved(sender, instance, **kwargs):
    _safely(_index_collection_of, instance.collection_id)


def _on_collection_restriction_deleted(sender, instance, **kwargs):
    collection_id = instance.collection_id
    transaction.on_commit(lambda: _safely(_index_collection_of, collection_id))


def _on_post_migrate(sender, plan=None, **kwargs):
    # The migration that creates the index fills it, so an upgraded site is searchable at once.
    if getattr(sender, "name", None) != "cms" or not plan:
        return
    # 0006 added the services' public pages (facility list, facilities, lotteries) to the index.
    filled_by = {"0005_site_search", "0006_site_services"}
    if any(m.app_label == "cms" and m.name in filled_by and not backwards for m, backwards in plan):
        rebuild_index()


def _on_source_changed(sender, name, **kwargs):
    _safely(index_source, name)


def connect_signals() -> None:
    """Keep the index in step with publishing, moves, view restrictions and documents.

    Deleting a page or document needs no handler: its row goes with it (``on_delete=CASCADE``).
    """
    from django.db.models.signals import post_delete, post_migrate, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_published, dispatch_uid="cms_search_page_published")
    page_unpublished.connect(_on_page_unpublished, dispatch_uid="cms_search_page_unpublished")
    post_page_move.connect(_on_page_moved, dispatch_uid="cms_search_page_moved")
    post_save.connect(_on_page_restriction_saved, sender=PageViewRestriction, dispatch_uid="cms_search_pvr_saved")
    post_delete.connect(_on_page_restriction_deleted, sender=PageViewRestriction, dispatch_uid="cms_search_pvr_deleted")
    post_save.connect(
        _on_collection_restriction_saved, sender=CollectionViewRestriction, dispatch_uid="cms_search_cvr_saved"
    )
    post_delete.connect(
        _on_collection_restriction_deleted, sender=CollectionViewRestriction, dispatch_uid="cms_search_cvr_deleted"
    )
    post_save.connect(_on_document_saved, sender=get_document_model(), dispatch_uid="cms_search_document_saved")
    post_migrate.connect(_on_post_migrate, dispatch_uid="cms_search_post_migrate")
    search_sources.source_changed.connect(_on_source_changed, dispatch_uid="cms_search_source_changed")
