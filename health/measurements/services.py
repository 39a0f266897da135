"""Writes of measurements: keyword-only, one transaction, refused before anything is written."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from health.measurements import catalogue, rules
from health.measurements.errors import MeasurementError
from health.models import HealthRecord, Measurement, MeasurementGoal, MeasureReminder


def _type(type_key: str, *, typed: bool = True) -> catalogue.MeasurementType:
    mtype = catalogue.get(type_key)
    if mtype is None or (typed and mtype.derived):
        raise MeasurementError(_("This kind of measurement cannot be entered."), code="unknown_type")
    return mtype


def clean_reading(
    *, type_key: str, value: Decimal | None, value2: Decimal | None, measured_at: datetime.datetime
) -> tuple[Decimal, Decimal | None, datetime.datetime]:
    """The reading rounded to its type's precision and to the second; ``MeasurementError`` if implausible."""
    mtype = _type(type_key)
    value = mtype.quantize(value) if value is not None else None
    value2 = mtype.quantize(value2) if value2 is not None else None
    problems = rules.range_problems(mtype, value, value2)
    if problems:
        raise MeasurementError(" ".join(problems), code="implausible")
    if timezone.is_naive(measured_at):
        raise ValueError("measured_at must be time-zone aware")
    if measured_at > timezone.now() + datetime.timedelta(minutes=5):
        raise MeasurementError(_("The time of measurement is in the future."), code="future")
    return value, value2, measured_at.replace(microsecond=0)


@transaction.atomic
def record_measurement(
    *,
    record: HealthRecord,
    type_key: str,
    value: Decimal | None,
    value2: Decimal | None = None,
    measured_at: datetime.datetime | None = None,
    note: str = "",
) -> Measurement:
    """Save one reading. An implausible value (体温 45 ℃) is refused and nothing is saved.

    A weight brings its BMI when a height is known; a height recomputes the BMI of every weight.
    """
    value, value2, measured_at = clean_reading(
        type_key=type_key, value=value, value2=value2, measured_at=measured_at or timezone.now()
    )
    m = Measurement.objects.create(
        record=record, type=type_key, value=value, value2=value2, measured_at=measured_at, note=note.strip()[:200]
    )
    if type_key == catalogue.WEIGHT:
        _derive_bmi(record, weights=[m])
    elif type_key == catalogue.HEIGHT:
        rederive_bmi(record=record)
    return m


def height_for(heights: list[tuple[datetime.datetime, Decimal]], at: datetime.datetime) -> Decimal | None:
    """The latest height measured at or before ``at``; before the first height, the first one."""
    chosen = None
    for when, value in heights:  # oldest first
        if when <= at:
            chosen = value
        else:
            break
    if chosen is None and heights:
        chosen = heights[0][1]
    return chosen


def _heights(record: HealthRecord) -> list[tuple[datetime.datetime, Decimal]]:
    return list(
        Measurement.objects.filter(record=record, type=catalogue.HEIGHT)
        .order_by("measured_at", "pk")
        .values_list("measured_at", "value")
    )


def _derive_bmi(record: HealthRecord, *, weights: list[Measurement]) -> None:
    """BMI rows for these weights (the weight's time, the height in force then)."""
    heights = _heights(record)
    if not heights:
        return
    mtype = catalogue.TYPES[catalogue.BMI]
    rows = []
    for w in weights:
        value = rules.bmi(w.value, height_for(heights, w.measured_at))
        if mtype.low <= value <= mtype.high:  # an infant's weight against an adult's height: no BMI
            rows.append(
                Measurement(record=record, type=catalogue.BMI, value=value, measured_at=w.measured_at, source=w)
            )
    Measurement.objects.bulk_create(rows, batch_size=2000)


@transaction.atomic
def rederive_bmi(*, record: HealthRecord) -> None:
    """Recompute every BMI of the record from its weights and heights (after a height changed)."""
    Measurement.objects.filter(record=record, type=catalogue.BMI).delete()
    weights = list(Measurement.objects.filter(record=record, type=catalogue.WEIGHT).only("pk", "value", "measured_at"))
    _derive_bmi(record, weights=weights)


@transaction.atomic
def delete_measurement(*, record: HealthRecord, measurement_id: int) -> bool:
    """Delete one typed reading of this record (its BMI goes with it); False if there is none."""
    m = Measurement.objects.filter(record=record, pk=measurement_id, source=None).exclude(type=catalogue.BMI).first()
    if m is None:
        return False
    m.delete()
    if m.type == catalogue.HEIGHT:
        rederive_bmi(record=record)
    return True


@transaction.atomic
def set_goal(
    *,
    record: HealthRecord,
    type_key: str,
    low: Decimal | None,
    high: Decimal | None,
    low2: Decimal | None = None,
    high2: Decimal | None = None,
) -> MeasurementGoal | None:
    """Set (or, with every bound empty, remove) the personal goal range of one type.

    Each bound must lie in the type's plausible range and the lower bound below the upper.
    """
    mtype = _type(type_key, typed=False)
    if not mtype.has_second:
        low2 = high2 = None
    for lo, hi, a, b in ((low, high, mtype.low, mtype.high), (low2, high2, mtype.second_low, mtype.second_high)):
        for v in (lo, hi):
            if v is not None and not (a <= v <= b):
                raise MeasurementError(
                    _("A goal must lie between %(low)s and %(high)s %(unit)s.")
                    % {"low": mtype.format(a), "high": mtype.format(b), "unit": mtype.unit},
                    code="goal_range",
                )
        if lo is not None and hi is not None and lo >= hi:
            raise MeasurementError(_("The lower bound of a goal must be below its upper bound."), code="goal_order")
    if all(v is None for v in (low, high, low2, high2)):
        MeasurementGoal.objects.filter(record=record, type=type_key).delete()
        return None
    goal, _created = MeasurementGoal.objects.update_or_create(
        record=record, type=type_key, defaults={"low": low, "high": high, "low2": low2, "high2": high2}
    )
    return goal


@transaction.atomic
def add_reminder(
    *, record: HealthRecord, user, type_key: str, time_of_day: datetime.time, now: datetime.datetime | None = None
) -> MeasureReminder:
    """A daily reminder mail to ``user`` at ``time_of_day`` to measure ``type_key`` (the same one twice: once)."""
    _type(type_key)
    time_of_day = time_of_day.replace(second=0, microsecond=0)
    existing = MeasureReminder.objects.filter(record=record, user=user, type=type_key, time_of_day=time_of_day).first()
    if existing:
        if not existing.active:
            existing.active = True
            existing.save(update_fields=["active"])
        return existing
    # Set after today's time: the first mail comes tomorrow, not at once.
    now = timezone.localtime(now)
    last = now.date() if now.time() >= time_of_day else None
    return MeasureReminder.objects.create(
        record=record, user=user, type=type_key, time_of_day=time_of_day, last_sent_on=last
    )


def stop_reminder(*, record: HealthRecord, user, reminder_id: int) -> bool:
    """Turn off one of the user's reminders for this record."""
    return bool(MeasureReminder.objects.filter(pk=reminder_id, record=record, user=user).update(active=False))


def unsubscribe_reminder(user_id: int, subject: str) -> bool:
    """One-click unsubscribe (``notifications.unsubscribe``): turn off the reminder ``subject``."""
    if not subject.isdigit():
        return False
    return bool(MeasureReminder.objects.filter(pk=int(subject), user_id=user_id, active=True).update(active=False))
