"""/disclosure/archive/: the public archive of decided requests — search, one request, Atom feed.

Public pages: no sign-in. They show what staff published and the disclosed documents, never the
requester's identity (the selectors in :mod:`disclosure.archive.search` do not even load it).
An id that is not published is a 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from disclosure.archive.search import Filters, decision_label, latest, published_request, search
from disclosure.release.models import ReleasedFile
from portal.textsearch import MAX_QUERY_LENGTH


def _query(request) -> tuple[str, Filters]:
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH], Filters.from_query(request.GET)


def search_url(query: str = "", filters: Filters | None = None) -> str:
    """The archive's search page for ``query`` (and filters): the catalogue and the request form link it."""
    keep = _keep(query, filters or Filters())
    return reverse("disclosure_archive:index") + ("?" + keep if keep else "")


def _keep(query: str, filters: Filters) -> str:
    params = {"q": query, "decision": filters.decision, "year": filters.year or ""}
    return urlencode({k: v for k, v in params.items() if v})


def _facet_links(query: str, filters: Filters, found: dict) -> list[tuple[str, list[tuple]]]:
    """Each filter's heading and its values with the link that chooses (or, when chosen, clears) it."""
    headings = {"decision": pgettext("disclosure", "Decision"), "year": _("Fiscal year of the decision")}
    sections = []
    for name, values in found.items():
        links = []
        for value in values:
            if name == "decision":
                changed = Filters(decision="" if value.selected else value.value, year=filters.year)
                label = value.label
            else:
                changed = Filters(decision=filters.decision, year=None if value.selected else int(value.value))
                label = _("FY %(year)s") % {"year": value.label}
            links.append((value, label, "?" + _keep(query, changed)))
        sections.append((headings[name], links))
    return sections


def index(request):
    """The published requests, newest first, searched by words and filtered by decision and fiscal year."""
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
        "feed_url": reverse("disclosure_archive:feed") + ("?" + keep if keep else ""),
    }
    return render(request, "disclosure/archive/index.html", context)


def detail(request, request_id: int):
    """A published request: the published title and text, the decision and the disclosed documents."""
    found = published_request(request_id)
    if found is None:
        raise Http404
    documents = ReleasedFile.objects.filter(request_id=found.pk, kind=ReleasedFile.Kind.DOCUMENT).only(
        "pk", "name", "size", "pages", "redacted", "request_id"
    )
    context = {"req": found, "decision": decision_label(found), "documents": list(documents)}
    return render(request, "disclosure/archive/detail.html", context)


class ArchiveFeed(Feed):
    """Atom feed of the newly published requests (/disclosure/archive/feed/, with the search's words)."""

    feed_type = Atom1Feed

    def get_object(self, request):
        return _query(request)

    def title(self, obj):
        query, _filters = obj
        if query:
            return _("Published disclosure requests: %(words)s") % {"words": query}
        return _("Published disclosure requests")

    def link(self, obj):
        return search_url(*obj)

    def subtitle(self, obj):
        return _("Decided information disclosure requests the town has published.")

    def items(self, obj):
        return latest(*obj)

    def item_title(self, item):
        return f"{item.request.number} {item.request.public_title}"

    def item_description(self, item):
        return f"{item.decision}: {strip_tags(item.snippet)}"

    def item_link(self, item):
        return reverse("disclosure_archive:detail", args=[item.request.pk])

    def item_pubdate(self, item):
        return item.request.published_at

    def item_categories(self, item):
        return [value for value in (item.request.department, item.decision) if value]
