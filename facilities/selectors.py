"""Reads for facilities: availability of slots, a resident's reservations, fees.

Availability is computed by :class:`Availability`, which loads one facility's units, frames,
opening hours, closures and occupancies for a date range in a fixed number of queries (six),
whether the month has no booking or thousands. Each slot's state then costs O(log n) in the
bookings of its spaces (``rules.BusyTimes``), so the work grows with slots + bookings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from facilities import rules
from facilities.models import (
    CalendarFeed,
    Closure,
    Club,
    Facility,
    Fee,
    LotteryRound,
    Occupancy,
    OpeningHours,
    Reservation,
    TimeFrame,
    Unit,
    WaitlistEntry,
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

    def __init__(
        self, facility: Facility, first: date, last: date, *, now: datetime | None = None, only_unit: Unit | None = None
    ) -> None:
        """Load everything for ``facility`` between two days; ``only_unit`` limits bookings read to that unit's."""
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
        # An occupancy lasts less than a day (frames lie within a day), so the lower bound on
        # ``start`` lets PostgreSQL read only this range of the (space, start) index.
        occupancies = Occupancy.objects.filter(
            space__facility=facility, start__lt=end, start__gte=start - timedelta(days=1), end__gt=start
        )
        if only_unit is not None:  # a unit's calendar needs only the holds on that unit's spaces
            occupancies = occupancies.filter(space_id__in=self.spaces[only_unit.pk])
        # Sorted once per space: each slot's question then costs O(log bookings), so the page
        # grows with slots + bookings, not with their product (rules.BusyTimes).
        self.busy = rules.BusyTimes(occupancies.values_list("space_id", "start", "end"))
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
        return self.busy.overlaps(self.spaces[unit.pk], start, end)

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


def month_availability(
    facility: Facility, month: date, *, now: datetime | None = None, unit: Unit | None = None
) -> Availability:
    """Availability for a month; with ``unit``, valid only for that unit (its calendar page)."""
    days = rules.month_days(month)
    return Availability(facility, days[0], days[-1], now=now, only_unit=unit)


def public_facilities() -> QuerySet[Facility]:
    return Facility.objects.filter(units__active=True).distinct().order_by("sort_order", "name")


def fees_for(slots, *, resident: bool) -> list[int]:
    """The fee of each slot (anything with ``frame`` and ``day``), in one query.

    The holiday fee on weekends and public holidays, the weekday fee otherwise; a frame without
    a fee costs nothing.
    """
    slots = list(slots)
    amounts = {
        (fee.frame_id, fee.day_type): fee.amount
        for fee in Fee.objects.filter(frame__in={s.frame.pk for s in slots}, resident=resident)
    }
    return [amounts.get((s.frame.pk, rules.day_type(s.day)), 0) for s in slots]


def holder_filter(user, club: Club | None) -> dict:
    """Who holds a booking or a lottery application: the group if it is for a group, else the person alone."""
    return {"club": club} if club is not None else {"user": user, "club": None}


def holder_reservations(facility: Facility, *, user, club: Club | None, now: datetime) -> QuerySet[Reservation]:
    """The holder's active reservations at a facility that have not ended (what the booking limits count)."""
    return Reservation.objects.filter(
        unit__facility=facility, status__in=Reservation.ACTIVE, end__gt=now, **holder_filter(user, club)
    )


def is_held(spaces: set[int], start: datetime, end: datetime) -> bool:
    """Whether any of these spaces is held by a booking for part of ``start``–``end``."""
    return Occupancy.objects.filter(space_id__in=spaces, start__lt=end, end__gt=start).exists()


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


# --- Public search and the day view ------------------------------------------------------
class TimeBand(Enum):
    """Part of the day a frame starts in: morning before 12:00, afternoon before 17:00, then evening."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"

    @property
    def label(self) -> str:
        return {"morning": _("Morning"), "afternoon": _("Afternoon"), "evening": _("Evening")}[self.value]

    @classmethod
    def of(cls, frame: TimeFrame) -> TimeBand:
        if frame.start.hour < 12:
            return cls.MORNING
        return cls.AFTERNOON if frame.start.hour < 17 else cls.EVENING


@dataclass(frozen=True)
class SearchResult:
    """A facility that has units matching the search, and (for a day) their free slots then."""

    facility: Facility
    units: list[Unit]
    free: list[Slot]


def search_facilities(
    *,
    day: date | None = None,
    band: TimeBand | None = None,
    kind: str = "",
    capacity: int | None = None,
    now: datetime | None = None,
) -> list[SearchResult]:
    """Facilities with a bookable unit of the kind and for at least ``capacity`` people.

    With a day, each result lists the slots free for first-come booking that day (in the time
    band, if one is given); facilities with nothing free are kept, so the resident sees why.
    Costs two queries, plus a fixed number per facility for a day.
    """
    units = Unit.objects.filter(active=True).order_by("sort_order", "name")
    if capacity:
        units = units.filter(capacity__gte=capacity)
    facilities = Facility.objects.filter(pk__in=units.values("facility_id")).order_by("sort_order", "name")
    if kind:
        facilities = facilities.filter(kind=kind)
    facilities = facilities.prefetch_related(models.Prefetch("units", queryset=units, to_attr="matching_units"))
    results = []
    for facility in facilities:
        free: list[Slot] = []
        if day is not None:
            availability = Availability(facility, day, day, now=now)
            wanted = {unit.pk for unit in facility.matching_units}
            for unit in availability.units:
                if unit.pk in wanted:
                    free += [
                        s
                        for s in availability.day_slots(unit, day)
                        if s.is_free and (band is None or TimeBand.of(s.frame) is band)
                    ]
        results.append(SearchResult(facility, facility.matching_units, free))
    return results


@dataclass(frozen=True)
class DayTable:
    """Units that share the same frames, side by side: one row per frame, one slot per unit."""

    units: list[Unit]
    rows: list[tuple[TimeFrame, list[Slot]]]


def day_tables(availability: Availability, day: date) -> list[DayTable]:
    """The day view of a facility: its bookable units grouped by their frames (hourly rooms apart from courts)."""
    groups: dict[tuple, list[Unit]] = {}
    for unit in availability.units:
        frames = availability.frames[unit.pk]
        if unit.active and frames:
            groups.setdefault(tuple((f.label, f.start, f.end) for f in frames), []).append(unit)
    tables = []
    for units in groups.values():
        slots = {unit.pk: availability.day_slots(unit, day) for unit in units}
        frames = availability.frames[units[0].pk]
        rows = [(frame, [slots[unit.pk][i] for unit in units]) for i, frame in enumerate(frames)]
        tables.append(DayTable(units, rows))
    return tables


#: The columns of a fee table: residents on weekdays, residents on holidays, then everyone else.
FEE_COLUMNS = [
    (True, Fee.DayType.WEEKDAY),
    (True, Fee.DayType.HOLIDAY),
    (False, Fee.DayType.WEEKDAY),
    (False, Fee.DayType.HOLIDAY),
]


def fees_of(unit: Unit) -> list[tuple[TimeFrame, list[int | None]]]:
    """The fee table of a unit: for each frame with a fee, the amounts in the order of FEE_COLUMNS."""
    amounts: dict[tuple[int, bool, str], int] = {}
    for fee in Fee.objects.filter(frame__unit=unit):
        amounts[(fee.frame_id, fee.resident, fee.day_type)] = fee.amount
    rows = [
        (frame, [amounts.get((frame.pk, *column)) for column in FEE_COLUMNS]) for frame in unit.frames.order_by("start")
    ]
    return [(frame, row) for frame, row in rows if any(amount is not None for amount in row)]


# --- Groups -------------------------------------------------------------------------------
def clubs_of(user) -> QuerySet[Club]:
    """The groups a resident registered (as their representative), whatever their status."""
    return Club.objects.filter(representative=user).order_by("-created_at")


def bookable_clubs_of(user) -> QuerySet[Club]:
    """The approved groups a resident may book for: those they represent."""
    return Club.objects.filter(representative=user, status=Club.Status.APPROVED).order_by("name")


def active_reservations_for_feed(feed: CalendarFeed) -> QuerySet[Reservation]:
    """What a private calendar feed lists: every active reservation of its resident, past or upcoming."""
    return reservations_of(feed.user).filter(status__in=Reservation.ACTIVE)


# --- Waitlist (キャンセル待ち) ----------------------------------------------------------------
def open_waitlist_entries(user, *, club: Club | None = None, now: datetime | None = None) -> QuerySet[WaitlistEntry]:
    """The holder's places in waitlists of slots that have not started (what the waitlist limit counts)."""
    return WaitlistEntry.objects.filter(
        status__in=WaitlistEntry.OPEN, start__gt=now or timezone.now(), **holder_filter(user, club)
    )


def waitlist_of(user) -> QuerySet[WaitlistEntry]:
    """Waitlist entries a resident made or that belong to a group they represent."""
    return (
        WaitlistEntry.objects.filter(Q(user=user) | Q(club__representative=user))
        .select_related("unit__facility", "frame", "club", "reservation")
        .order_by("start", "pk")
    )


def waitlist_entry_for(user, entry_id: int) -> WaitlistEntry | None:
    """One of the resident's own waitlist entries, or None (another resident's is never returned)."""
    return waitlist_of(user).filter(pk=entry_id).first()


def current_waitlist(user, *, now: datetime | None = None) -> QuerySet[WaitlistEntry]:
    """The resident's open entries of slots that have not started, offers first."""
    return (
        waitlist_of(user)
        .filter(status__in=WaitlistEntry.OPEN, start__gt=now or timezone.now())
        .order_by("-status", "start", "pk")  # "offered" sorts after "waiting": reversed, offers come first
    )


def place_in_line(entry: WaitlistEntry) -> int:
    """1 for the first in the slot's line (or the one holding the offer), 2 for the next, and so on."""
    return (
        WaitlistEntry.objects.filter(
            unit_id=entry.unit_id, frame_id=entry.frame_id, date=entry.date, status__in=WaitlistEntry.OPEN
        )
        .filter(Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk))
        .count()
        + 1
    )


def waiting_count(unit: Unit, frame: TimeFrame, day: date) -> int:
    """How many are in a slot's line now."""
    return WaitlistEntry.objects.filter(unit=unit, frame=frame, date=day, status__in=WaitlistEntry.OPEN).count()
