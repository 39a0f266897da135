"""Reads of the public archive: published requests only, searched and filtered.

Words match as substrings of the folded published text (``Request.archive_search_text``), exactly
as the catalogue and the site search match (:mod:`portal.textsearch`): 「ｺﾞﾐ」 finds 「ごみ」,
「工事設計」 finds 「町道改良工事設計書」, and Japanese needs no spaces. Every word must occur.
Results are the newest publication first. Nothing here reads the requester's identity: the
querysets defer it, so a page cannot show what it never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractYear
from django.utils.safestring import SafeString, mark_safe

from disclosure.models import DECISIONS, Event, EventKind, Request, Status
from portal.textsearch import highlight, query_words, snippet

RESULTS_PER_PAGE = 20
#: The requester's identity and what only staff see: never loaded by the archive's pages.
PRIVATE_FIELDS = ("name", "representative", "address", "email", "phone", "purpose", "user", "document")


def _decision_of_implemented():
    """The decision of a request whose disclosure was carried out: the status its 決定 event recorded."""
    return Subquery(
        Event.objects.filter(request=OuterRef("pk"), kind=EventKind.DECIDED).order_by("-at", "-pk").values("status")[:1]
    )


def published() -> QuerySet[Request]:
    """The published requests, with ``decision`` (the decision, also after 実施) and ``fiscal_year``
    (年度 of the decision: April to March), and without the requester's identity."""
    return (
        Request.objects.filter(published_at__isnull=False)
        .defer(*PRIVATE_FIELDS, "archive_search_text")
        .annotate(
            decision=Case(
                When(status=Status.IMPLEMENTED, then=_decision_of_implemented()),
                default=F("status"),
                output_field=CharField(),
            ),
            fiscal_year=ExtractYear("decided_on")
            - Case(When(decided_on__month__lt=4, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
    )


def published_request(request_id: int) -> Request | None:
    """A published request by id, or ``None`` (→ 404) when there is none or it is not published."""
    return published().filter(pk=request_id).first()


@dataclass(frozen=True)
class Filters:
    decision: str = ""
    year: int | None = None

    @classmethod
    def from_query(cls, params) -> Filters:
        """Filters from request parameters; values that make no sense are ignored, not an error."""
        year = params.get("year", "")
        decision = params.get("decision", "")
        return cls(
            decision=decision if decision in DECISIONS else "",
            year=int(year) if year.isdigit() and 1900 < int(year) < 2200 else None,
        )

    def apply(self, requests: QuerySet, *, skip: str = "") -> QuerySet:
        if self.decision and skip != "decision":
            requests = requests.filter(decision=self.decision)
        if self.year and skip != "year":
            requests = requests.filter(fiscal_year=self.year)
        return requests


def matching(query: str) -> QuerySet[Request]:
    """Published requests containing every word of ``query`` (all of them for an empty query)."""
    requests = published()
    for word in query_words(query):
        requests = requests.filter(archive_search_text__contains=word)
    return requests


def count(query: str) -> int:
    """How many published requests match ``query`` (the catalogue search shows it)."""
    return matching(query).count() if query_words(query) else 0


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def facets(query: str, filters: Filters) -> dict[str, list[FacetValue]]:
    """Counts per decision and fiscal year of what is found, each with the other filter applied."""
    labels = dict(Status.choices)
    base = matching(query)
    found = {}
    for name, order in (("decision", "decision"), ("year", "-fiscal_year")):
        column = "decision" if name == "decision" else "fiscal_year"
        rows = filters.apply(base, skip=name).order_by().values(column).annotate(n=Count("pk")).order_by(order)
        current = filters.decision if name == "decision" else filters.year
        found[name] = [
            FacetValue(
                value=str(row[column]),
                label=str(labels.get(row[column], row[column])),
                count=row["n"],
                selected=str(row[column]) == str(current or ""),
            )
            for row in rows
            if row[column] is not None
        ]
    return found


def decision_label(request: Request) -> str:
    """The decision of a published request in words (全部開示 …), also after the disclosure was carried out."""
    return str(dict(Status.choices).get(getattr(request, "decision", None) or request.status, ""))


@dataclass(frozen=True)
class Result:
    request: Request
    title: SafeString
    snippet: SafeString
    decision: str


def present(requests: list[Request], query: str) -> list[Result]:
    words = query_words(query)
    return [
        Result(
            request=found,
            title=highlight(found.public_title, words),
            snippet=snippet(found.public_text, words) if found.public_text else mark_safe(""),
            decision=decision_label(found),
        )
        for found in requests
    ]


def newest_first(requests: QuerySet) -> QuerySet:
    return requests.order_by("-published_at", "-pk")


def search(query: str, filters: Filters, *, page_number=None, per_page: int = RESULTS_PER_PAGE):
    """One page of results (newest publication first), the paginator page and the facets."""
    page: Page = Paginator(newest_first(filters.apply(matching(query))), per_page).get_page(page_number)
    return page, present(list(page.object_list), query), facets(query, filters)


def latest(query: str, filters: Filters, *, limit: int = 50) -> list[Result]:
    """The newest publications that match: what the Atom feed shows."""
    return present(list(newest_first(filters.apply(matching(query)))[:limit]), query)
