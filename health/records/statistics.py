"""Aggregate counts of health records for 健康 staff: by age band and district, small cells hidden.

Rules, in plain words:

* Staff see counts only, never a record, a name or a date of birth.
* A count under 5 (zero included) is shown as 「5未満」, so nobody can be picked out of a small group
  (a child of a rare age in a small district). No row or column totals are shown, since a total
  minus the shown cells would give a hidden cell back; the overall total is rounded to tens.
* A record's district is the resident's (their own record) or the household owner's (a member's);
  its age is from the member's date of birth. Residents' own records carry no date of birth
  (accounts do not ask for one), so they count under "age unknown".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from health.models import HealthRecord
from portal.models import District

MIN_CELL = 5
UNKNOWN = "unknown"

# (key, label, lowest age in years); a band runs to the next band's lowest age.
AGE_BANDS = [
    ("0-5", _("0–5"), 0),
    ("6-14", _("6–14"), 6),
    ("15-39", _("15–39"), 15),
    ("40-64", _("40–64"), 40),
    ("65-74", _("65–74"), 65),
    ("75+", _("75 and over"), 75),
]


def years_before(today: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February becomes the 28th in a common year)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def shown(count: int) -> str:
    """The cell as staff see it: the number from 5 up, 「5未満」 below."""
    return str(count) if count >= MIN_CELL else str(_("under 5"))


def rounded_total(total: int) -> str:
    if total < MIN_CELL:
        return str(_("under 5"))
    return str(int(round(total, -1)))


@dataclass(frozen=True)
class Table:
    columns: list[str]  # age band labels, then "age unknown"
    rows: list[tuple[str, list[str]]]  # (district name, shown cells)
    total: str


def counts(today: datetime.date) -> dict[tuple[int | None, str], int]:
    """Records per (district id, age band key), in one query."""
    whens = []
    for index, (key, _label, _low) in enumerate(AGE_BANDS):
        upper = AGE_BANDS[index + 1][2] if index + 1 < len(AGE_BANDS) else None
        # Age < upper  ⇔  born after the date ``upper`` years ago.
        if upper is None:
            whens.append(When(member__birth_date__isnull=False, then=Value(key)))
        else:
            whens.append(When(member__birth_date__gt=years_before(today, upper), then=Value(key)))
    rows = (
        HealthRecord.objects.annotate(
            district_key=Coalesce(F("user__district_id"), F("member__household__owner__district_id")),
            band=Case(*whens, default=Value(UNKNOWN), output_field=CharField()),
        )
        .order_by()
        .values("district_key", "band")
        .annotate(n=Count("pk"))
    )
    return {(row["district_key"], row["band"]): row["n"] for row in rows}


def table(today: datetime.date) -> Table:
    """The suppressed cross table staff see (two queries: counts and district names)."""
    raw = counts(today)
    band_keys = [key for key, _label, _low in AGE_BANDS] + [UNKNOWN]
    columns = [str(label) for _key, label, _low in AGE_BANDS] + [str(_("age unknown"))]
    districts = [(d.pk, d.name) for d in District.objects.order_by("sort_order", "code")]
    districts.append((None, str(_("district unknown"))))
    rows = [(name, [shown(raw.get((pk, band), 0)) for band in band_keys]) for pk, name in districts]
    return Table(columns=columns, rows=rows, total=rounded_total(sum(raw.values())))
