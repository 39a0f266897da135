"""The public catalogue: search at /disclosure/, a document's page, its files and an Atom feed of a search."""

from __future__ import annotations

import mimetypes

from django.contrib.syndication.views import Feed
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from disclosure.archive import search as archive_search
from disclosure.archive.views import search_url as archive_search_url
from disclosure.catalogue.models import CatalogueDocument, CatalogueFile, Category
from disclosure.catalogue.search import Filters, latest, search
from portal.textsearch import MAX_QUERY_LENGTH

#: Where residents ask for a document that is not published (the disclosure requests' pages).
REQUEST_PATH = "/my/disclosure/"


def _query(request) -> tuple[str, Filters]:
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH], Filters.from_query(request.GET)


def _keep(query: str, filters: Filters) -> str:
    """The search's parameters, for links that keep it (pager, feed)."""
    params = {"q": query, "department": filters.department, "year": filters.year or "", "category": filters.category}
    return urlencode({k: v for k, v in params.items() if v})


def _facet_links(query: str, filters: Filters, found: dict) -> list[tuple[str, list[tuple]]]:
    """Each facet's heading and its values with the link that chooses (or, when chosen, clears) it."""
    headings = {"department": _("Department"), "year": _("Fiscal year"), "category": _("Disclosure category")}
    sections = []
    for name, values in found.items():
        links = []
        for value in values:
            chosen = {
                "department": filters.department,
                "year": filters.year,
                "category": filters.category,
                name: "" if value.selected else value.value,
            }
            changed = Filters(
                department=chosen["department"],
                year=int(chosen["year"]) if chosen["year"] else None,
                category=chosen["category"],
            )
            label = _("FY %(year)s") % {"year": value.label} if name == "year" else value.label
            links.append((value, label, "?" + _keep(query, changed)))
        sections.append((headings[name], links))
    return sections


def index(request):
    """Search the catalogue; with no words and no filter, the newest documents."""
    query, filters = _query(request)
    page, results, found_facets = search(query, filters, page_number=request.GET.get("page"))
    keep = _keep(query, filters)
    context = {
        "query": query,
        "filters": filters,
        "results": results,
        "page_obj": page,
        "count": page.paginator.count,
        "facets": _facet_links(query, filters, found_facets),
        "keep": keep + "&" if keep else "",
        "feed_url": reverse("disclosure_catalogue:feed") + ("?" + keep if keep else ""),
        "categories": Category.choices,
        # Published requests (公開アーカイブ) matching the same words: maybe already asked and answered.
        "archive_count": archive_search.count(query),
        "archive_url": archive_search_url(query),
    }
    return render(request, "disclosure/catalogue/index.html", context)


def _request_page_exists() -> bool:
    """The disclosure request pages are built separately; link them only once they answer."""
    try:
        match = resolve(REQUEST_PATH)
    except Resolver404:
        return False
    return match.url_name is not None and not match.func.__module__.startswith("wagtail")


def document(request, document_id: int):
    """A document's metadata; its files for 公開 and 部分公開 documents, how to ask for it otherwise."""
    found = get_object_or_404(CatalogueDocument.objects.defer("search_title", "search_text"), pk=document_id)
    context = {
        "document": found,
        "files": list(found.files.all()) if found.downloadable else [],
        "request_url": REQUEST_PATH if _request_page_exists() else "",
    }
    return render(request, "disclosure/catalogue/document.html", context)


def download(request, document_id: int, file_id: int, name: str):
    """A file of a public document. Files of other documents are 404, as if they did not exist."""
    stored = get_object_or_404(CatalogueFile.objects.select_related("document"), pk=file_id, document_id=document_id)
    if not stored.document.downloadable or name != stored.name:
        raise Http404
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    inline = stored.kind in ("pdf", "txt")
    try:
        handle = stored.file.storage.open(stored.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=not inline, filename=stored.name, content_type=content_type)
    if stored.kind == "txt":
        response["Content-Type"] = "text/plain; charset=utf-8" if _is_utf8(stored) else "text/plain; charset=shift_jis"
    return response


def _is_utf8(stored: CatalogueFile) -> bool:
    with stored.file.storage.open(stored.file.name, "rb") as handle:
        try:
            handle.read().decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


class SearchFeed(Feed):
    """Atom feed of a search (/disclosure/feed/?q=…): the newest documents that match, so a resident
    can follow a subject in a feed reader."""

    feed_type = Atom1Feed

    def get_object(self, request):
        self.request = request
        return _query(request)

    def title(self, obj):
        query, filters = obj
        words = " ".join(part for part in (query, filters.department, str(filters.year or "")) if part)
        return _("Public documents: %(words)s") % {"words": words} if words else _("Public documents")

    def link(self, obj):
        keep = _keep(*obj)
        return reverse("disclosure_catalogue:index") + ("?" + keep if keep else "")

    def subtitle(self, obj):
        return _("Documents added to the town's public document catalogue.")

    def items(self, obj):
        return latest(*obj)

    def item_title(self, item):
        return f"{item.document.file_number} {item.document.title}"

    def item_description(self, item):
        return strip_tags(item.snippet)

    def item_link(self, item):
        return reverse("disclosure_catalogue:document", args=[item.document.pk])

    def item_pubdate(self, item):
        return item.document.created_at

    def item_updateddate(self, item):
        return item.document.updated_at

    def item_categories(self, item):
        return [item.document.department, item.document.get_category_display()]
