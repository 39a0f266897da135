"""Reads of measurements. Every function runs a fixed number of queries, whatever the row count.

The caller has already checked the record (``health.selectors.record_for``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import TruncWeek

from health.measurements import catalogue, rules
from health.models import HealthRecord, Measurement, MeasurementGoal, MeasureReminder

TOKYO = ZoneInfo(settings.TIME_ZONE)
PERIODS = ("week", "month", "year")


def goal_of(record: HealthRecord, type_key: str) -> rules.Goal | None:
    row = MeasurementGoal.objects.filter(record=record, type=type_key).first()
    if row is None:
        return None
    return rules.Goal(low=row.low, high=row.high, low2=row.low2, high2=row.high2)


def goals_of(record: HealthRecord) -> dict[str, rules.Goal]:
    return {
        g.type: rules.Goal(low=g.low, high=g.high, low2=g.low2, high2=g.high2)
        for g in MeasurementGoal.objects.filter(record=record)
    }


def latest_by_type(record: HealthRecord) -> dict[str, Measurement]:
    """The most recent reading of each type (one query: DISTINCT ON)."""
    rows = (
        Measurement.objects.filter(record=record)
        .order_by("type", "-measured_at", "-pk")
        .distinct("type")
        .only("type", "value", "value2", "measured_at")
    )
    return {m.type: m for m in rows}


def window(period: str, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day (inclusive) of the period that ends on ``end``."""
    days = {"week": 7, "month": 30, "year": 365}[period]
    return end - datetime.timedelta(days=days - 1), end


def local_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, end+1 00:00) in Asia/Tokyo, for a ``measured_at`` range."""
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=TOKYO),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=TOKYO),
    )


@dataclass(frozen=True)
class Point:
    """One point of a chart and one row of its table: a reading, or a day's or week's aggregate."""

    at: datetime.datetime  # local time (aggregates: the start of the day or week)
    value: Decimal  # reading, or the mean
    value2: Decimal | None = None
    low: Decimal | None = None  # aggregates: the lowest and highest value
    high: Decimal | None = None
    count: int = 1
    pk: int | None = None  # readings only
    note: str = ""
    fever: bool = False
    off_goal: bool = False


def series(
    record: HealthRecord, type_key: str, period: str, end: datetime.date, goal: rules.Goal | None = None
) -> list[Point]:
    """The points of the chart: each reading for a week or a month, weekly aggregates for a year.

    The year is aggregated by PostgreSQL (one row per week), so the page costs the same whatever
    the number of readings. A week is flagged when its highest value is a fever or any bound of
    the goal is crossed by its extremes.
    """
    start, stop = window(period, end)
    since, until = local_bounds(start, stop)
    rows = Measurement.objects.filter(record=record, type=type_key, measured_at__gte=since, measured_at__lt=until)
    if period != "year":
        return [
            Point(
                at=m.measured_at.astimezone(TOKYO),
                value=m.value,
                value2=m.value2,
                pk=m.pk,
                note=m.note,
                fever=rules.is_fever(type_key, m.value),
                off_goal=rules.outside_goal(goal, m.value, m.value2),
            )
            for m in rows.order_by("measured_at", "pk").only("pk", "value", "value2", "measured_at", "note")
        ]
    buckets = (
        rows.annotate(bucket=TruncWeek("measured_at", tzinfo=TOKYO))
        .values("bucket")
        .annotate(
            mean=Avg("value"),
            mean2=Avg("value2"),
            lowest=Min("value"),
            highest=Max("value"),
            lowest2=Min("value2"),
            highest2=Max("value2"),
            n=Count("pk"),
        )
        .order_by("bucket")
    )
    mtype = catalogue.TYPES[type_key]
    points = []
    for b in buckets:
        mean2 = mtype.quantize(Decimal(b["mean2"])) if b["mean2"] is not None else None
        points.append(
            Point(
                at=b["bucket"].astimezone(TOKYO),
                value=mtype.quantize(Decimal(b["mean"])),
                value2=mean2,
                low=b["lowest"],
                high=b["highest"],
                count=b["n"],
                fever=rules.is_fever(type_key, b["highest"]),
                off_goal=rules.outside_goal(goal, b["lowest"], b["lowest2"])
                or rules.outside_goal(goal, b["highest"], b["highest2"]),
            )
        )
    return points


def between(record: HealthRecord, start: datetime.date | None, end: datetime.date | None):
    """Every reading of the record in the date range (either end open), oldest first; one query."""
    rows = Measurement.objects.filter(record=record)
    if start is not None:
        rows = rows.filter(measured_at__gte=local_bounds(start, start)[0])
    if end is not None:
        rows = rows.filter(measured_at__lt=local_bounds(end, end)[1])
    return rows.order_by("measured_at", "type", "pk")


def reminders_of(record: HealthRecord, user) -> list[MeasureReminder]:
    return list(MeasureReminder.objects.filter(record=record, user=user, active=True).order_by("time_of_day", "type"))
