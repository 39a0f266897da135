"""Demo data for the health log (``load_demo``): four weeks of the demo resident's readings.

Safe to run again: the readings are added only to a log that has none. The values are made up
and ordinary (an adult's morning temperature, weight and blood pressure), with one fever so the
chart shows how a flagged reading looks.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from health.measurements import catalogue
from health.measurements import services as measurements
from health.models import HealthRecord, Measurement, Medicine
from health.services import ensure_records
from portal.demo import DemoPeople

DAYS = 28


def load_demo(people: DemoPeople) -> list[str]:
    """Give the demo resident a health log with readings, goals and one medicine."""
    ensure_records(user=people.resident)
    record = HealthRecord.objects.get(user=people.resident)
    if Measurement.objects.filter(record=record).exists():
        return []
    today = timezone.localdate()
    measurements.record_measurement(
        record=record,
        type_key=catalogue.HEIGHT,
        value=Decimal("158.0"),
        measured_at=_at(today - datetime.timedelta(days=DAYS), 7),
    )
    for back in range(DAYS, 0, -1):
        day = today - datetime.timedelta(days=back)
        wobble = Decimal((back * 7) % 5) / 10  # 0.0 … 0.4, the same on every run
        temperature = Decimal("38.2") if back == 9 else Decimal("36.3") + wobble
        measurements.record_measurement(
            record=record, type_key=catalogue.TEMPERATURE, value=temperature, measured_at=_at(day, 7)
        )
        measurements.record_measurement(
            record=record,
            type_key=catalogue.BLOOD_PRESSURE,
            value=Decimal(126) - back % 6,
            value2=Decimal(80) - back % 4,
            measured_at=_at(day, 7, 5),
        )
        if back % 3 == 0:
            measurements.record_measurement(
                record=record,
                type_key=catalogue.WEIGHT,
                value=Decimal("54.0") + wobble,
                measured_at=_at(day, 7, 10),
            )
    measurements.set_goal(
        record=record,
        type_key=catalogue.BLOOD_PRESSURE,
        low=Decimal(100),
        high=Decimal(135),
        low2=Decimal(60),
        high2=Decimal(85),
    )
    Medicine.objects.create(
        record=record,
        name="アムロジピン錠 5mg",
        dose="1日1回 朝食後 1錠",
        start=today - datetime.timedelta(days=90),
        clinic="みどり町診療所",
    )
    return [f"Health log: {DAYS} days of readings for the demo resident at /my/health/{record.pk}/"]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
