"""Reads of mother and child. The views get the record through ``health.selectors.record_for`` first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from health.child import charts, references, rules
from health.models import (
    BirthRecord,
    ChildProfile,
    GrowthEntry,
    HealthRecord,
    Pregnancy,
    PregnancyCheckup,
    VaccinationGiven,
    Vaccine,
    VaccineDose,
)


def birth_date_of(record: HealthRecord) -> datetime.date | None:
    """The child's date of birth: the household member's, else the birth record's."""
    if record.member_id and record.member.birth_date:
        return record.member.birth_date
    birth = BirthRecord.objects.filter(record=record).only("date").first()
    return birth.date if birth else None


def is_child_record(record: HealthRecord) -> bool:
    """Growth, birth and vaccinations belong to a household member's record (a child has no account)."""
    return bool(record.member_id)


def profile_of(record: HealthRecord) -> ChildProfile:
    return ChildProfile.objects.filter(record=record).first() or ChildProfile(record=record)


# --- Vaccinations ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedDose:
    vaccine: Vaccine
    dose: VaccineDose
    window: rules.Window
    status: str
    given: VaccinationGiven | None


def schedule() -> list[Vaccine]:
    """Every vaccine with its doses (two queries)."""
    return list(Vaccine.objects.prefetch_related(Prefetch("doses", queryset=VaccineDose.objects.order_by("number"))))


def plan_for_birth(
    birth: datetime.date,
    today: datetime.date,
    vaccines: list[Vaccine],
    given: dict[int, VaccinationGiven] | None = None,
) -> list[PlannedDose]:
    """The doses of the vaccines that apply to a child born on ``birth``, with their windows and status.

    ``given`` maps a dose id to what was given (anything with a ``date``): a later dose waits its minimum
    interval after the earlier dose's actual date.
    """
    given = given or {}
    plan = []
    for vaccine in vaccines:
        if not vaccine.applies_to(birth):
            continue
        given_by_number = {d.number: given[d.pk].date for d in vaccine.doses.all() if d.pk in given}
        for dose in vaccine.doses.all():
            window = rules.dose_window(birth, dose.start_months, dose.start_days, dose.end_months, dose.end_days)
            if dose.interval_from:
                window = rules.after_interval(
                    window, given_by_number.get(dose.interval_from), dose.interval_months, dose.interval_days
                )
            done = given.get(dose.pk)
            plan.append(PlannedDose(vaccine, dose, window, rules.dose_status(window, today, done is not None), done))
    return plan


def vaccination_plan(record: HealthRecord, today: datetime.date) -> list[PlannedDose]:
    """The child's doses (applying to their date of birth) with due / overdue / done; plus doses given of
    vaccines that do not apply by date of birth (a series begun before a switch) as done."""
    birth = birth_date_of(record)
    given = {v.dose_id: v for v in VaccinationGiven.objects.filter(record=record).select_related("dose__vaccine")}
    if birth is None:
        return []
    vaccines = schedule()
    plan = plan_for_birth(birth, today, vaccines, given)
    planned = {p.dose.pk for p in plan}
    for v in given.values():
        if v.dose_id not in planned:
            d = v.dose
            window = rules.dose_window(birth, d.start_months, d.start_days, d.end_months, d.end_days)
            plan.append(PlannedDose(d.vaccine, d, window, rules.DoseStatus.DONE, v))
    return plan


def vaccinations_given(record: HealthRecord, start=None, end=None) -> list[VaccinationGiven]:
    qs = VaccinationGiven.objects.filter(record=record).select_related("dose__vaccine")
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return list(qs.order_by("date", "id"))


# --- Growth ----------------------------------------------------------------------------------
MEASURE_UNITS = {"weight": "kg", "height": "cm", "head": "cm"}
MEASURE_FIELDS = {"weight": "weight_kg", "height": "height_cm", "head": "head_cm"}


def growth_entries(record: HealthRecord, start=None, end=None) -> list[GrowthEntry]:
    qs = GrowthEntry.objects.filter(record=record)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return list(qs.order_by("date", "id"))


@dataclass
class GrowthView:
    entries: list[GrowthEntry]
    reference: references.Reference | None
    charts: list[charts.Chart]
    months: int
    sex: str


def growth_view(record: HealthRecord, today: datetime.date) -> GrowthView:
    """The child's growth rows and, when sex and date of birth are known, one chart per measure."""
    entries = growth_entries(record)
    birth = birth_date_of(record)
    profile = profile_of(record)
    if birth is None or not profile.sex:
        return GrowthView(entries, None, [], 0, profile.sex)
    last = max([today, *[e.date for e in entries]])
    age_months = (last - birth).days / rules.DAYS_PER_MONTH
    months = 24 if age_months <= 24 else min(60, 12 * (int(age_months) // 12 + 1))
    reference = references.reference_for(profile.growth_reference, profile.sex, months)
    built = []
    for measure, unit in MEASURE_UNITS.items():
        data = [
            ((e.date - birth).days / rules.DAYS_PER_MONTH, float(getattr(e, MEASURE_FIELDS[measure])))
            for e in entries
            if getattr(e, MEASURE_FIELDS[measure]) is not None
        ]
        built.append(charts.build(measure, unit, reference.curves.get(measure, []), data, months))
    return GrowthView(entries, reference, built, months, profile.sex)


# --- Pregnancy -------------------------------------------------------------------------------
def pregnancies(record: HealthRecord, start=None, end=None) -> list[Pregnancy]:
    """The record's pregnancies with their check-ups (two queries)."""
    checkups = PregnancyCheckup.objects.order_by("date", "id")
    if start:
        checkups = checkups.filter(date__gte=start)
    if end:
        checkups = checkups.filter(date__lte=end)
    return list(Pregnancy.objects.filter(record=record).prefetch_related(Prefetch("checkups", queryset=checkups)))


def pregnancy_for(record: HealthRecord, pregnancy_id: int) -> Pregnancy | None:
    return Pregnancy.objects.filter(record=record, pk=pregnancy_id).first()


def birth_of(record: HealthRecord) -> BirthRecord | None:
    return BirthRecord.objects.filter(record=record).first()
