"""Writes of mother and child: keyword-only, one transaction, the rule in the docstring.

The views have already checked that the user manages ``record`` (``health.selectors.record_for``).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from health.child import selectors
from health.errors import HealthError
from health.models import (
    BirthRecord,
    ChildProfile,
    GrowthEntry,
    GrowthReference,
    GrowthReferenceRow,
    HealthRecord,
    Pregnancy,
    PregnancyCheckup,
    VaccinationGiven,
    VaccineDose,
    VaccineReminderOptOut,
)
from health.models.child import Sex


class ChildError(HealthError):
    default_code = "child_refused"


def _check_date(record: HealthRecord, day: datetime.date, today: datetime.date) -> None:
    if day > today:
        raise ChildError(_("The date cannot be in the future."), code="future_date")
    birth = selectors.birth_date_of(record)
    if birth and day < birth:
        raise ChildError(_("The date is before the child was born."), code="before_birth")


def _need_child(record: HealthRecord) -> None:
    if not selectors.is_child_record(record):
        raise ChildError(_("This is kept on a child's record."), code="not_a_child")


@transaction.atomic
def save_profile(*, record: HealthRecord, sex: str, growth_reference: str) -> ChildProfile:
    """Set the child's sex (for the growth chart) and the reference the chart draws."""
    _need_child(record)
    profile, _created = ChildProfile.objects.update_or_create(
        record=record, defaults={"sex": sex, "growth_reference": growth_reference}
    )
    return profile


@transaction.atomic
def save_growth(
    *,
    record: HealthRecord,
    date: datetime.date,
    weight_kg: Decimal | None,
    height_cm: Decimal | None,
    head_cm: Decimal | None,
    today: datetime.date | None = None,
) -> GrowthEntry:
    """Record one day's measurements; a second entry for the same day replaces the first.

    At least one value; not in the future, not before birth.
    """
    _need_child(record)
    _check_date(record, date, today or timezone.localdate())
    if weight_kg is None and height_cm is None and head_cm is None:
        raise ChildError(_("Enter at least one of weight, height and head circumference."), code="empty")
    entry, _created = GrowthEntry.objects.update_or_create(
        record=record, date=date, defaults={"weight_kg": weight_kg, "height_cm": height_cm, "head_cm": head_cm}
    )
    return entry


@transaction.atomic
def delete_growth(*, record: HealthRecord, entry_id: int) -> bool:
    return GrowthEntry.objects.filter(record=record, pk=entry_id).delete()[0] > 0


@transaction.atomic
def record_dose(
    *,
    record: HealthRecord,
    dose: VaccineDose,
    date: datetime.date,
    lot: str = "",
    clinic: str = "",
    today: datetime.date | None = None,
) -> VaccinationGiven:
    """Record a dose given (date, lot, clinic); recording the same dose again corrects it."""
    _need_child(record)
    _check_date(record, date, today or timezone.localdate())
    given, _created = VaccinationGiven.objects.update_or_create(
        record=record, dose=dose, defaults={"date": date, "lot": lot.strip(), "clinic": clinic.strip()}
    )
    return given


@transaction.atomic
def forget_dose(*, record: HealthRecord, given_id: int) -> bool:
    return VaccinationGiven.objects.filter(record=record, pk=given_id).delete()[0] > 0


@transaction.atomic
def save_birth(*, record: HealthRecord, **fields) -> BirthRecord:
    """Write the birth record of a child (one per child)."""
    _need_child(record)
    if fields["date"] > timezone.localdate():
        raise ChildError(_("The date cannot be in the future."), code="future_date")
    birth, _created = BirthRecord.objects.update_or_create(record=record, defaults=fields)
    return birth


@transaction.atomic
def add_pregnancy(*, record: HealthRecord, due_date: datetime.date, notes: str = "") -> Pregnancy:
    """Start a pregnancy on the mother's own record (not on a household member's)."""
    if not record.user_id:
        raise ChildError(_("A pregnancy is kept on the mother's own record."), code="not_own_record")
    return Pregnancy.objects.create(record=record, due_date=due_date, notes=notes)


@transaction.atomic
def add_checkup(*, pregnancy: Pregnancy, today: datetime.date | None = None, **fields) -> PregnancyCheckup:
    """Record a prenatal check-up; the date is not in the future, systolic above diastolic."""
    if fields["date"] > (today or timezone.localdate()):
        raise ChildError(_("The date cannot be in the future."), code="future_date")
    sys_, dia = fields.get("systolic"), fields.get("diastolic")
    if (sys_ is None) != (dia is None):
        raise ChildError(_("Enter both blood pressure values, or neither."), code="bp_half")
    if sys_ is not None and sys_ <= dia:
        raise ChildError(_("The systolic pressure must be higher than the diastolic."), code="bp_order")
    return PregnancyCheckup.objects.create(pregnancy=pregnancy, **fields)


def unsubscribe_vaccine_reminders(user_id: int, subject: str) -> bool:
    """One-click unsubscribe: no more vaccine reminders about this child (``subject`` = record id) to this user."""
    try:
        record_id = int(subject)
    except ValueError:
        return False
    if not HealthRecord.objects.filter(pk=record_id).exists():
        return False
    _optout, created = VaccineReminderOptOut.objects.get_or_create(record_id=record_id, user_id=user_id)
    return created


# --- The Japanese growth reference table (健康 staff) --------------------------------------------
CSV_COLUMNS = ["sex", "measure", "age_months", "p3", "p10", "p25", "p50", "p75", "p90", "p97"]
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 5000
SEXES = {"male": Sex.MALE, "female": Sex.FEMALE, "男": Sex.MALE, "女": Sex.FEMALE}
MEASURE_LIMITS = {
    "weight": (Decimal("0.3"), Decimal("60")),
    "height": (Decimal("20"), Decimal("150")),
    "head": (Decimal("15"), Decimal("70")),
}


class ReferenceCsvError(ChildError):
    default_code = "reference_csv_invalid"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(_("The table was not loaded. Correct these rows and upload it again."), errors=errors)


def parse_reference_csv(data: bytes) -> list[dict]:
    """Check the CSV row by row; every problem is reported with its line, in the staff's language."""
    if len(data) > CSV_MAX_BYTES:
        raise ReferenceCsvError([_("The file is larger than 1 MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReferenceCsvError([_("The file is not UTF-8 text.")]) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if header != CSV_COLUMNS:
        raise ReferenceCsvError([_("The first line must be: %(columns)s") % {"columns": ",".join(CSV_COLUMNS)}])
    errors: list[str] = []
    rows: list[dict] = []
    seen: set[tuple] = set()
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= CSV_MAX_ROWS:
            errors.append(_("More than %(n)d rows.") % {"n": CSV_MAX_ROWS})
            break
        where = _("Line %(line)d") % {"line": line_no}
        if len(cells) != len(CSV_COLUMNS):
            errors.append(_("%(where)s: expected %(n)d columns.") % {"where": where, "n": len(CSV_COLUMNS)})
            continue
        cells = [c.strip() for c in cells]
        sex = SEXES.get(cells[0])
        if sex is None:
            errors.append(_("%(where)s: sex must be male or female.") % {"where": where})
        measure = cells[1]
        if measure not in MEASURE_LIMITS:
            errors.append(_("%(where)s: measure must be weight, height or head.") % {"where": where})
        try:
            numbers = [Decimal(c) for c in cells[2:]]
            if any(not n.is_finite() for n in numbers):
                raise InvalidOperation
        except InvalidOperation:
            errors.append(_("%(where)s: every age and percentile must be a number.") % {"where": where})
            continue
        age, percentiles = numbers[0], numbers[1:]
        if not Decimal(0) <= age <= Decimal(72):
            errors.append(_("%(where)s: the age must be between 0 and 72 months.") % {"where": where})
        if any(b < a for a, b in zip(percentiles, percentiles[1:], strict=False)):
            errors.append(_("%(where)s: the percentiles must not decrease from p3 to p97.") % {"where": where})
        if measure in MEASURE_LIMITS:
            low, high = MEASURE_LIMITS[measure]
            if any(not low <= p <= high for p in percentiles):
                errors.append(
                    _("%(where)s: a value is outside %(low)s–%(high)s (kg for weight, cm otherwise).")
                    % {"where": where, "low": low, "high": high}
                )
        key = (sex, measure, age)
        if key in seen:
            errors.append(_("%(where)s: this sex, measure and age appear twice.") % {"where": where})
        seen.add(key)
        rows.append(
            {"sex": sex, "measure": measure, "age_months": age, **dict(zip(CSV_COLUMNS[3:], percentiles, strict=True))}
        )
    if not rows and not errors:
        errors.append(_("The file has no rows."))
    if errors:
        raise ReferenceCsvError(errors)
    return rows


@transaction.atomic
def load_reference_table(*, data: bytes, name: str, source: str, is_default: bool, by) -> GrowthReference:
    """Load a percentile table from CSV (see docs/health.md); nothing is saved when any row is wrong."""
    rows = parse_reference_csv(data)
    if not name.strip() or not source.strip():
        raise ChildError(_("Give the table a name and its source."), code="reference_unnamed")
    if is_default:
        GrowthReference.objects.filter(is_default=True).update(is_default=False)
    table = GrowthReference.objects.create(
        name=name.strip(), source=source.strip(), is_default=is_default, uploaded_by=by
    )
    GrowthReferenceRow.objects.bulk_create([GrowthReferenceRow(table=table, **row) for row in rows])
    return table
