"""The statistics as tables (caption, header row, body rows with a header cell each): the page and the
CSV print the same tables, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from disclosure.stats.selectors import APPEAL_OUTCOMES, OUTCOMES, YearStatistics


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[tuple[str, list]]


def tables(stats: YearStatistics) -> list[Table]:
    """The year's tables, in the order the page and the CSV show them."""
    outcome_labels = [str(label) for _key, label in OUTCOMES]
    days = stats.days
    na = "—"
    return [
        Table(
            _("Requests received and their outcome"),
            [_("Received"), *outcome_labels],
            [(_("All departments"), [stats.received, *stats.outcomes.values()])],
        ),
        Table(
            _("Requests by department in charge"),
            [_("Received"), *outcome_labels],
            [(name or _("Not set"), [total, *counts.values()]) for name, counts, total in stats.departments],
        ),
        Table(
            _("Days from receipt to decision (calendar days)"),
            [_("Value")],
            [
                (_("Requests decided"), [days.count]),
                (_("Mean"), [days.mean if days.mean is not None else na]),
                (_("Median"), [days.median if days.median is not None else na]),
                (_("Longest"), [days.maximum if days.maximum is not None else na]),
            ],
        ),
        Table(
            _("Decisions by days from receipt"),
            [pgettext("statistics column", "Requests")],
            [(str(label), [count]) for label, count in days.buckets],
        ),
        Table(
            _("Decisions and the deadline"),
            [pgettext("statistics column", "Requests")],
            [
                (_("Decided within the first 15 days' period (no extension)"), [days.without_extension]),
                (_("Decided after an extension (延長)"), [days.after_extension]),
                (_("Decided after the special extension (特例延長)"), [days.after_special_extension]),
                (_("Decided after their due date"), [days.past_due]),
            ],
        ),
        Table(
            _("Appeals (審査請求) filed and their outcome"),
            [_("Filed"), *(str(label) for _key, label in APPEAL_OUTCOMES)],
            [(_("All appeals"), [stats.appeals_filed, *stats.appeal_outcomes.values()])],
        ),
    ]
