"""Reads for facilities: availability of slots, a resident's reservations, fees.

Availability is computed by :class:`Availability`, which loads one facility's units, frames,
opening hours, closures and occupancies for a date range in a fixed number of queries, so a
month calendar costs the same whether the month has no booking or thousands.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities import rules
from facilities.models import (
    CalendarFeed,
    Closure,
    Facility,
    Fee,
    LotteryRound,
    Occupancy,
    OpeningHours,
    Reservation,
    TimeFrame,
    Unit,
)


class SlotState(Enum):
    """What a resident sees for one frame of one unit on one day. Never shown by colour alone."""

    FREE = "free"
    TAKEN = "taken"
    CLOSED = "closed"
    PAST = "past"
    NOT_YET = "not_yet"  # the booking window has not opened (or the lottery is running)

    @property
    def symbol(self) -> str:
        return {"free": "○", "taken": "×", "closed": "休", "past": "－", "not_yet": "－"}[self.value]

    @property
    def text(self) -> str:
        return {
            "free": _("Free"),
            "taken": _("Booked"),
            "closed": _("Closed"),
            "past": _("Past"),
            "not_yet": _("Not yet open for booking"),
        }[self.value]


class DayState(Enum):
    """A day of a unit in the month calendar: ○ all free, △ some free, × none free."""

    FREE = "free"
    SOME = "some"
    FULL = "full"
    CLOSED = "closed"
    UNAVAILABLE = "unavailable"

    @property
    def symbol(self) -> str:
        return {"free": "○", "some": "△", "full": "×", "closed": "休", "unavailable": "－"}[self.value]

    @property
    def text(self) -> str:
        return {
            "free": _("Free"),
            "some": _("Some slots free"),
            "full": _("Fully booked"),
            "closed": _("Closed"),
            "unavailable": _("Not bookable"),
        }[self.value]


@dataclass(frozen=True)
class Slot:
    unit: Unit
    frame: TimeFrame
    day: date
    start: datetime
    end: datetime
    state: SlotState

    @property
    def is_free(self) -> bool:
        return self.state is SlotState.FREE


def spaces_by_unit(units: list[Unit]) -> dict[int, set[int]]:
    """The leaf units (spaces) each unit is made of: a unit with children is all of its leaves."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit.pk)

    def leaves(pk: int) -> set[int]:
        kids = children.get(pk)
        if not kids:
            return {pk}
        return set().union(*(leaves(kid) for kid in kids))

    return {unit.pk: leaves(unit.pk) for unit in units}


class Availability:
    """Slot states for the units of one facility between two dates (inclusive)."""

    def __init__(self, facility: Facility, first: date, last: date, *, now: datetime | None = None) -> None:
        self.facility = facility
        self.first, self.last = first, last
        self.now = now or timezone.now()
        self.units = list(facility.units.all().order_by("sort_order", "name"))
        self.spaces = spaces_by_unit(self.units)
        self.frames: dict[int, list[TimeFrame]] = defaultdict(list)
        for frame in TimeFrame.objects.filter(unit__facility=facility).order_by("start"):
            self.frames[frame.unit_id].append(frame)
        self.hours = {h.weekday: h for h in OpeningHours.objects.filter(facility=facility)}
        self.closures = list(Closure.objects.filter(facility=facility, start_date__lte=last, end_date__gte=first))
        start, end = rules.local(first), rules.local(last + timedelta(days=1))
        self.busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for space_id, s, e in Occupancy.objects.filter(
            space__facility=facility, start__lt=end, end__gt=start
        ).values_list("space_id", "start", "end"):
            self.busy[space_id].append((s, e))
        self.lotteries = {
            r.month: r
            for r in LotteryRound.objects.filter(
                facility=facility, month__gte=rules.first_of_month(first), month__lte=last
            )
        }

    # --- rules -----------------------------------------------------------------------
    def is_closed(self, unit: Unit, day: date) -> bool:
        """Closed on the facility's closed weekdays, holidays (if so set), or a closure of any part."""
        if day.weekday() not in self.hours:
            return True
        if self.facility.closed_on_holidays and rules.jpholiday.is_holiday(day):
            return True
        spaces = self.spaces[unit.pk]
        for closure in self.closures:
            if not closure.start_date <= day <= closure.end_date:
                continue
            if closure.unit_id is None or spaces & self.spaces.get(closure.unit_id, {closure.unit_id}):
                return True
        return False

    def within_hours(self, frame: TimeFrame, day: date) -> bool:
        hours = self.hours.get(day.weekday())
        return bool(hours) and hours.opens <= frame.start and frame.end <= hours.closes

    def window_state(self, day: date, start: datetime) -> SlotState | None:
        """PAST or NOT_YET when ``day`` cannot be booked first-come now; None when it can."""
        if start <= self.now or self.now >= rules.window_closes(self.facility, day, start):
            return SlotState.PAST
        if self.now < rules.window_opens(self.facility, day):
            return SlotState.NOT_YET
        lottery = self.lotteries.get(rules.first_of_month(day))
        if lottery is not None and lottery.status != LotteryRound.Status.DRAWN:
            return SlotState.NOT_YET  # the month is in the lottery; leftovers open after the draw
        return None

    def is_taken(self, unit: Unit, start: datetime, end: datetime) -> bool:
        return any(s < end and start < e for space in self.spaces[unit.pk] for s, e in self.busy.get(space, ()))

    def slot(self, unit: Unit, frame: TimeFrame, day: date, *, ignore_window: bool = False) -> Slot:
        start, end = frame.bounds(day)
        if not unit.active or self.is_closed(unit, day) or not self.within_hours(frame, day):
            state = SlotState.CLOSED
        elif self.is_taken(unit, start, end):
            state = SlotState.TAKEN if start > self.now else SlotState.PAST
        else:
            state = (None if ignore_window else self.window_state(day, start)) or SlotState.FREE
            if ignore_window and start <= self.now:
                state = SlotState.PAST
        return Slot(unit, frame, day, start, end, state)

    # --- views -----------------------------------------------------------------------
    def day_slots(self, unit: Unit, day: date) -> list[Slot]:
        return [self.slot(unit, frame, day) for frame in self.frames[unit.pk]]

    def day_state(self, unit: Unit, day: date) -> DayState:
        slots = self.day_slots(unit, day)
        if not slots or all(s.state is SlotState.CLOSED for s in slots):
            return DayState.CLOSED
        free = sum(s.is_free for s in slots)
        if free == len(slots):
            return DayState.FREE
        if free:
            return DayState.SOME
        if any(s.state is SlotState.TAKEN for s in slots):
            return DayState.FULL
        return DayState.UNAVAILABLE

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def month_availability(facility: Facility, month: date, *, now: datetime | None = None) -> Availability:
    days = rules.month_days(month)
    return Availability(facility, days[0], days[-1], now=now)


def public_facilities() -> QuerySet[Facility]:
    return Facility.objects.filter(units__active=True).distinct().order_by("sort_order", "name")


def fee_for(frame: TimeFrame, day: date, *, resident: bool) -> int | None:
    """The fee of ``frame`` on ``day``: the holiday fee on weekends and public holidays."""
    fee = Fee.objects.filter(frame=frame, resident=resident, day_type=rules.day_type(day)).first()
    return fee.amount if fee else None


def reservations_of(user) -> QuerySet[Reservation]:
    """Reservations a resident made or that belong to a group they represent."""
    return (
        Reservation.objects.filter(Q(user=user) | Q(club__representative=user))
        .select_related("unit__facility", "frame", "club")
        .order_by("start")
    )


def reservation_for(user, reservation_id: int) -> Reservation | None:
    """One of the resident's own reservations, or None (another resident's is never returned)."""
    return reservations_of(user).filter(pk=reservation_id).first()


def upcoming_reservations(user, *, now: datetime | None = None) -> QuerySet[Reservation]:
    return reservations_of(user).filter(status__in=Reservation.ACTIVE, end__gt=now or timezone.now())


def past_reservations(user, *, now: datetime | None = None) -> QuerySet[Reservation]:
    return reservations_of(user).filter(Q(end__lte=now or timezone.now()) | ~Q(status__in=Reservation.ACTIVE))


def feed_by_token(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token).first() if token else None
