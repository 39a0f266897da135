"""運用状況: the yearly statistics of disclosure requests, counts only (no personal data).

A request counts in the fiscal year (年度, April–March) it was received in. ``year_statistics`` reads
the year's requests in one query and its appeals in another, whatever their number, and adds up in
Python; docs/disclosure.md says what each number counts.
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from disclosure.appeals.models import Appeal, AppealOutcome, AppealStatus
from disclosure.catalogue.models import fiscal_year
from disclosure.models import DECISIONS, OPEN_STATUSES, Event, EventKind, Extension, Request, Status

#: The outcome columns, in the order of the tables: the decisions, then the other ends, then still open.
OPEN = "open"
OUTCOMES: list[tuple[str, object]] = [
    *((status.value, status.label) for status in DECISIONS),
    (Status.WITHDRAWN.value, Status.WITHDRAWN.label),
    (Status.REJECTED.value, Status.REJECTED.label),
    (Status.TRANSFERRED.value, Status.TRANSFERRED.label),
    (OPEN, pgettext_lazy("disclosure statistics", "Still open")),
]
#: Days from receipt to decision: (label, lowest, highest) with ``None`` for no bound.
BUCKETS: list[tuple[object, int, int | None]] = [
    (_("15 days or less"), 0, 15),
    (_("16–30 days"), 16, 30),
    (_("31–45 days"), 31, 45),
    (_("46–60 days"), 46, 60),
    (_("More than 60 days"), 61, None),
]
APPEAL_OUTCOMES: list[tuple[str, object]] = [
    *((outcome.value, outcome.label) for outcome in AppealOutcome),
    (OPEN, pgettext_lazy("appeal statistics", "Under review")),
]


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of the fiscal year ``year`` (2026 → 2026-04-01 … 2027-03-31)."""
    return date(year, 4, 1), date(year + 1, 3, 31)


@dataclass
class DaysToDecision:
    """Calendar days from receipt (received_on) to the decision (decided_on) of the decided requests."""

    count: int = 0
    mean: float | None = None
    median: float | int | None = None
    maximum: int | None = None
    buckets: list[tuple[object, int]] = field(default_factory=list)
    without_extension: int = 0
    after_extension: int = 0
    after_special_extension: int = 0
    past_due: int = 0


@dataclass
class YearStatistics:
    year: int
    received: int = 0
    #: outcome → count, in the order of :data:`OUTCOMES`.
    outcomes: dict[str, int] = field(default_factory=dict)
    #: (department, {outcome: count}, total), by name; requests without one last, as "" .
    departments: list[tuple[str, dict[str, int], int]] = field(default_factory=list)
    days: DaysToDecision = field(default_factory=DaysToDecision)
    appeals_filed: int = 0
    appeal_outcomes: dict[str, int] = field(default_factory=dict)


def _outcome(status: str, decision: str | None) -> str:
    """The column a request counts in: its decision (also once carried out), its other end, or open."""
    if status == Status.IMPLEMENTED:
        return decision or Status.DISCLOSED
    if status in OPEN_STATUSES:
        return OPEN
    return status


def _days(rows: list[dict]) -> DaysToDecision:
    days = [(row["decided_on"] - row["received_on"]).days for row in rows]
    result = DaysToDecision(count=len(days))
    if days:
        result.mean = round(sum(days) / len(days), 1)
        median = pystats.median(days)
        result.median = int(median) if float(median).is_integer() else median  # 24.5, but 25 rather than 25.0
        result.maximum = max(days)
    result.buckets = [
        (label, sum(1 for d in days if low <= d and (high is None or d <= high))) for label, low, high in BUCKETS
    ]
    for row in rows:
        if row["special"]:
            result.after_special_extension += 1
        elif row["extended"]:
            result.after_extension += 1
        else:
            result.without_extension += 1
        if row["due_date"] is not None and row["decided_on"] > row["due_date"]:
            result.past_due += 1
    return result


def year_statistics(year: int) -> YearStatistics:
    """The 運用状況 of fiscal year ``year``: two queries, whatever the number of requests.

    - received: requests received in the year; outcomes: each counted once, by where it stands now.
    - days to decision: requests with a decision (決定: 全部開示 … 存否応答拒否, also once carried out).
    - appeals: appeals filed in the year, by the outcome of their ruling (or still under review).
    """
    first, last = year_bounds(year)
    decisions = Event.objects.filter(request=OuterRef("pk"), kind=EventKind.DECIDED).order_by("-at", "-pk")
    extensions = Extension.objects.filter(request=OuterRef("pk"))
    rows = list(
        Request.objects.filter(received_on__range=(first, last))
        .annotate(
            decision=Subquery(decisions.values("status")[:1]),
            extended=Exists(extensions.filter(special=False)),
            special=Exists(extensions.filter(special=True)),
        )
        .values("status", "department", "received_on", "decided_on", "due_date", "decision", "extended", "special")
        .order_by()
    )
    result = YearStatistics(year=year, received=len(rows))
    by_department: dict[str, Counter] = {}
    decided = []
    for row in rows:
        outcome = _outcome(row["status"], row["decision"])
        by_department.setdefault(row["department"].strip(), Counter())[outcome] += 1
        if outcome in DECISIONS and row["decided_on"] is not None:
            decided.append(row)
    totals = sum(by_department.values(), Counter())
    result.outcomes = {key: totals[key] for key, _label in OUTCOMES}
    result.departments = [
        (name, {key: counts[key] for key, _label in OUTCOMES}, sum(counts.values()))
        for name, counts in sorted(by_department.items(), key=lambda item: (item[0] == "", item[0]))
    ]
    result.days = _days(decided)

    appeals = Counter(
        row["outcome"] if row["status"] == AppealStatus.DECIDED else OPEN
        for row in Appeal.objects.filter(filed_on__range=(first, last)).values("status", "outcome").order_by()
    )
    result.appeals_filed = sum(appeals.values())
    result.appeal_outcomes = {key: appeals[key] for key, _label in APPEAL_OUTCOMES}
    return result


def available_years(today: date | None = None) -> list[int]:
    """The fiscal years with statistics, newest first: from the first request's year to this year."""
    current = fiscal_year(today or timezone.localdate())
    first = Request.objects.aggregate(first=Min("received_on"))["first"]
    start = min(fiscal_year(first), current) if first else current
    return list(range(current, start - 1, -1))
