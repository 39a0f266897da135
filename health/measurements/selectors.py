"""Reads of measurements. Every function runs a fixed number of queries, whatever the row count.

The caller has already checked the record (``health.selectors.record_for``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, Max, Min, Q
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
    """The most recent reading of each type: one query, a UNION ALL of one index lookup per type.

    (``DISTINCT ON (type)`` would sort every reading of the record: 0.3 s for 10 years.)
    """
    parts = [
        Measurement.objects.filter(record=record, type=key)
        .order_by("-measured_at")  # exactly the index (record, type, measured_at), read backwards
        .only("type", "value", "value2", "measured_at")[:1]
        for key in catalogue.TYPES
    ]
    return {m.type: m for m in parts[0].union(*parts[1:], all=True)}


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
    fever: bool = False  # a reading: a fever; a week: at least one fever in it
    off_goal: bool = False  # a reading, or a week's mean, outside the goal range
    fever_count: int = 0  # aggregates: readings with a fever
    off_goal_count: int = 0  # aggregates: readings outside the goal range


def series(
    record: HealthRecord, type_key: str, period: str, end: datetime.date, goal: rules.Goal | None = None
) -> list[Point]:
    """The points of the chart: each reading for a week or a month, weekly aggregates for a year.

    The year is aggregated by PostgreSQL (one row per week, with how many of its readings were a
    fever or outside the goal), so the page costs the same whatever the number of readings. A week
    is marked when its mean is outside the goal or it holds a fever.
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
    aggregates = {
        "mean": Avg("value"),
        "mean2": Avg("value2"),
        "lowest": Min("value"),
        "highest": Max("value"),
        "n": Count("pk"),
    }
    off = _outside(goal)
    if off is not None:
        aggregates["off_n"] = Count("pk", filter=off)
    if type_key == catalogue.TEMPERATURE:
        aggregates["fever_n"] = Count("pk", filter=Q(value__gte=catalogue.FEVER_FROM))
    buckets = (
        rows.annotate(bucket=TruncWeek("measured_at", tzinfo=TOKYO))
        .values("bucket")
        .annotate(**aggregates)
        .order_by("bucket")
    )
    mtype = catalogue.TYPES[type_key]
    points = []
    for b in buckets:
        mean = mtype.quantize(Decimal(b["mean"]))
        mean2 = mtype.quantize(Decimal(b["mean2"])) if b["mean2"] is not None else None
        points.append(
            Point(
                at=b["bucket"].astimezone(TOKYO),
                value=mean,
                value2=mean2,
                low=b["lowest"],
                high=b["highest"],
                count=b["n"],
                fever=bool(b.get("fever_n")),
                off_goal=rules.outside_goal(goal, mean, mean2),
                fever_count=b.get("fever_n", 0),
                off_goal_count=b.get("off_n", 0),
            )
        )
    return points


def _outside(goal: rules.Goal | None) -> Q | None:
    """The readings outside the goal range, as a filter (``None`` without a goal)."""
    if goal is None:
        return None
    parts = []
    for field, low, high in (("value", goal.low, goal.high), ("value2", goal.low2, goal.high2)):
        if low is not None:
            parts.append(Q(**{f"{field}__lt": low}))
        if high is not None:
            parts.append(Q(**{f"{field}__gt": high}))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


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
