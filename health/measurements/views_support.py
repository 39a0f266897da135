"""What the pages of measurements show, built once (templates run no queries of their own)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone

from health.measurements import catalogue, rules, selectors
from health.measurements.catalogue import MeasurementType
from health.models import HealthRecord


def format_reading(mtype: MeasurementType, value: Decimal | None, value2: Decimal | None = None) -> str:
    if value is None:
        return ""
    number = formats.number_format(mtype.quantize(Decimal(value)), mtype.decimals, force_grouping=True)
    if mtype.has_second and value2 is not None:
        number += "/" + formats.number_format(mtype.quantize(Decimal(value2)), mtype.decimals)
    return f"{number} {mtype.unit}"


def is_infant(record: HealthRecord, today: datetime.date | None = None) -> bool:
    """A child young enough for head circumference (birth date known, under ``HEAD_UNTIL_AGE``)."""
    born = record.birth_date
    if born is None:
        return False
    today = today or timezone.localdate()
    return (today - born).days < catalogue.HEAD_UNTIL_AGE * 365.25


def types_for(record: HealthRecord | None) -> list[MeasurementType]:
    return catalogue.enterable(infant=record is not None and is_infant(record))


@dataclass(frozen=True)
class Latest:
    mtype: MeasurementType
    text: str
    measured_at: datetime.datetime | None
    fever: bool
    off_goal: bool


def record_part(record: HealthRecord) -> dict:
    """Latest reading of each type (two queries: latest readings, goals)."""
    latest = selectors.latest_by_type(record)
    goals = selectors.goals_of(record)
    types = types_for(record) + [catalogue.TYPES[catalogue.BMI]]
    items = []
    for mtype in types:
        m = latest.get(mtype.key)
        items.append(
            Latest(
                mtype=mtype,
                text=format_reading(mtype, m.value, m.value2) if m else "",
                measured_at=m.measured_at if m else None,
                fever=bool(m) and rules.is_fever(mtype.key, m.value),
                off_goal=bool(m) and rules.outside_goal(goals.get(mtype.key), m.value, m.value2),
            )
        )
    return {"latest": items}


@dataclass(frozen=True)
class Quick:
    """One row of entry buttons on /my/: whose log, and a button per type."""

    record: HealthRecord | None  # None: the resident's own log, not created yet
    own: bool
    name: str
    buttons: list[tuple[str, str]]  # (url, label)


def quick_entries(user, records: list[HealthRecord]) -> list[Quick]:
    """The /my/ buttons (体温を記録 ...): the resident's own log first, then each member's. No queries."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    def buttons(record: HealthRecord | None) -> list[tuple[str, str]]:
        out = []
        for mtype in types_for(record):
            if record is None or record.user_id == user.pk:
                url = reverse("portal:health_measure_mine", args=[mtype.key])
            else:
                url = reverse("portal:health_measure", args=[record.pk, mtype.key])
            out.append((url, _("Record %(type)s") % {"type": mtype.label}))
        return out

    own = next((r for r in records if r.user_id == user.pk), None)
    rows = [Quick(record=own, own=True, name="", buttons=buttons(own))]
    for record in records:
        if record.user_id != user.pk:
            rows.append(Quick(record=record, own=False, name=record.display_name, buttons=buttons(record)))
    return rows
