"""Reads for staff reports: how full a facility was in a month (利用率).

The rule, in plain words: a *slot* is one time frame of one unit on one day. It counts as
*bookable* when the unit is bookable and the facility is open for that frame that day (not a
closed weekday, public holiday it closes on, or closure, and not blocked by staff for
maintenance). A bookable slot counts as *booked* when an active reservation holds it or any
part of it (a booked half court makes the whole court booked too). The share is booked ÷
bookable.

The day and facility totals count each smallest unit (each half court, each room) once, so
booking the whole arena counts as its two halves, not three units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from facilities import rules
from facilities.models import Facility, Occupancy, Reservation, Unit
from facilities.selectors import Availability


@dataclass(frozen=True)
class Share:
    """Booked slots out of bookable slots."""

    bookable: int
    booked: int

    @property
    def percent(self) -> int | None:
        """The share in whole percent; None when nothing was bookable (closed all month)."""
        return round(100 * self.booked / self.bookable) if self.bookable else None


@dataclass(frozen=True)
class UnitOccupancy:
    unit: Unit
    share: Share


@dataclass(frozen=True)
class DayOccupancy:
    day: date
    share: Share


@dataclass(frozen=True)
class OccupancyReport:
    facility: Facility
    month: date
    units: list[UnitOccupancy]
    days: list[DayOccupancy]
    total: Share


def occupancy_report(facility: Facility, month: date) -> OccupancyReport:
    """The share of bookable slots that were booked, per unit and per day, for ``month``.

    Runs a fixed number of queries whatever the number of reservations.
    """
    days = rules.month_days(month)
    availability = Availability(facility, days[0], days[-1])
    units = [unit for unit in availability.units if unit.active]
    blocked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for space_id, start, end in Occupancy.objects.filter(
        space__facility=facility,
        reservation__status=Reservation.Status.BLOCKED,
        start__lt=rules.local(days[-1] + timedelta(days=1)),
        start__gte=rules.local(days[0] - timedelta(days=1)),  # an occupancy lasts less than a day
        end__gt=rules.local(days[0]),
    ).values_list("space_id", "start", "end"):
        blocked[space_id].append((start, end))

    def is_blocked(unit: Unit, start: datetime, end: datetime) -> bool:
        return any(s < end and start < e for space in availability.spaces[unit.pk] for s, e in blocked.get(space, ()))

    per_unit: dict[int, list[int]] = {unit.pk: [0, 0] for unit in units}
    per_day: dict[date, list[int]] = {day: [0, 0] for day in days}
    for unit in units:
        is_leaf = availability.spaces[unit.pk] == {unit.pk}
        for day in days:
            if availability.is_closed(unit, day):
                continue
            for frame in availability.frames[unit.pk]:
                if not availability.within_hours(frame, day):
                    continue
                start, end = frame.bounds(day)
                if is_blocked(unit, start, end):
                    continue
                booked = int(availability.is_taken(unit, start, end))
                per_unit[unit.pk][0] += 1
                per_unit[unit.pk][1] += booked
                if is_leaf:
                    per_day[day][0] += 1
                    per_day[day][1] += booked
    day_rows = [DayOccupancy(day, Share(*per_day[day])) for day in days]
    return OccupancyReport(
        facility=facility,
        month=days[0],
        units=[UnitOccupancy(unit, Share(*per_unit[unit.pk])) for unit in units],
        days=day_rows,
        total=Share(sum(r.share.bookable for r in day_rows), sum(r.share.booked for r in day_rows)),
    )
