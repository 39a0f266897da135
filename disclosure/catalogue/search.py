"""Public search of the catalogue: words, department, fiscal year and category, with facets.

Words match as substrings of the folded title, keywords, department, file number and (for public
documents) the files' text, exactly as the site search does (:mod:`portal.textsearch`): 「ｺﾞﾐ」
finds 「ごみ」, 「子育て」 finds 「子育て支援センター」. On PostgreSQL a pg_trgm GIN index serves
words of three or more characters. Ranking: more words in the title first, then more
occurrences, then the newest document.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Case, Count, QuerySet, Value, When
from django.db.models.functions import Length, Replace
from django.utils.safestring import SafeString, mark_safe

from disclosure.catalogue.models import CatalogueDocument, Category
from portal.textsearch import highlight, query_words, snippet

RESULTS_PER_PAGE = 20
#: Facet values shown per dimension (departments can be many).
MAX_FACET_VALUES = 30


@dataclass(frozen=True)
class Filters:
    department: str = ""
    year: int | None = None
    category: str = ""

    @classmethod
    def from_query(cls, params) -> Filters:
        """Filters from request parameters; values that make no sense are ignored, not an error."""
        year = params.get("year", "")
        category = params.get("category", "")
        return cls(
            department=params.get("department", "").strip()[:100],
            year=int(year) if year.isdigit() and 1900 < int(year) < 2200 else None,
            category=category if category in Category.values else "",
        )

    def apply(self, documents: QuerySet, *, skip: str = "") -> QuerySet:
        if self.department and skip != "department":
            documents = documents.filter(department=self.department)
        if self.year and skip != "year":
            documents = documents.filter(fiscal_year=self.year)
        if self.category and skip != "category":
            documents = documents.filter(category=self.category)
        return documents


def matching(query: str) -> QuerySet[CatalogueDocument]:
    """Documents containing every word of ``query`` (all documents for an empty query)."""
    documents = CatalogueDocument.objects.all()
    for word in query_words(query):
        documents = documents.filter(search_text__contains=word)
    return documents


def ranked(documents: QuerySet, query: str) -> QuerySet:
    words = query_words(query)
    if not words:
        return documents.order_by("-created_on", "-pk")
    title_hits = sum((Case(When(search_title__contains=w, then=Value(1)), default=Value(0)) for w in words), Value(0))
    occurrences = sum(
        ((Length("search_text") - Length(Replace("search_text", Value(w), Value("")))) / Value(len(w)) for w in words),
        Value(0),
    )
    return documents.annotate(title_hits=title_hits, occurrences=occurrences).order_by(
        "-title_hits", "-occurrences", "-created_on", "-pk"
    )


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def facets(query: str, filters: Filters) -> dict[str, list[FacetValue]]:
    """Counts per department, fiscal year and category of the documents found; each dimension is
    counted with the other filters applied (so choosing a department still shows the other ones)."""
    base = matching(query)
    labels = dict(Category.choices)
    found = {}
    for name, column, order in (
        ("department", "department", "-n"),
        ("year", "fiscal_year", "-fiscal_year"),
        ("category", "category", "category"),
    ):
        rows = (
            filters.apply(base, skip=name)
            .order_by()
            .values(column)
            .annotate(n=Count("pk"))
            .order_by(order, column)[:MAX_FACET_VALUES]
        )
        current = {"department": filters.department, "year": filters.year, "category": filters.category}[name]
        found[name] = [
            FacetValue(
                value=str(row[column]),
                label=str(labels.get(row[column], row[column])),
                count=row["n"],
                selected=str(row[column]) == str(current or ""),
            )
            for row in rows
        ]
    return found


@dataclass(frozen=True)
class Result:
    document: CatalogueDocument
    title: SafeString
    snippet: SafeString


@contextmanager
def _index_friendly_planner():
    """As cms.search: on PostgreSQL price random reads as on an SSD, so the trigram index is used."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def present(documents: list[CatalogueDocument], query: str) -> list[Result]:
    words = query_words(query)
    results = []
    for document in documents:
        # Snippets come from the files' text of public documents only; else from the keywords.
        source = document.text if document.downloadable and document.text else document.keywords
        results.append(
            Result(
                document=document,
                title=highlight(document.title, words),
                snippet=snippet(source, words) if source else mark_safe(""),
            )
        )
    return results


def search(query: str, filters: Filters, *, page_number=None, per_page: int = RESULTS_PER_PAGE):
    """One page of results, the paginator page and the facets."""
    with _index_friendly_planner():
        ids = list(ranked(filters.apply(matching(query)), query).values_list("pk", flat=True))
        page: Page = Paginator(ids, per_page).get_page(page_number)
        by_id = CatalogueDocument.objects.defer("search_title", "search_text").in_bulk(page.object_list)
        documents = [by_id[pk] for pk in page.object_list if pk in by_id]
        found_facets = facets(query, filters)
    return page, present(documents, query), found_facets


def latest(query: str, filters: Filters, *, limit: int = 50) -> list[Result]:
    """The newest documents added that match: what a feed of a saved search shows."""
    documents = list(
        filters.apply(matching(query)).defer("search_title", "search_text").order_by("-created_at", "-pk")[:limit]
    )
    return present(documents, query)
