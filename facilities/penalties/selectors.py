"""Reads for usage records and suspensions. A `*_for(user, ...)` selector gives None to whoever may not see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from facilities.models import Club, Facility, Reservation
from facilities.penalties import rules
from facilities.penalties.models import Suspension, UsageRecord


def active_suspension(*, user=None, club: Club | None = None, today: date | None = None) -> Suspension | None:
    """The suspension that stops this resident (or group) now, the one ending last; None if free to book."""
    today = today or timezone.localdate()
    holder = Q(club=club) if club is not None else Q(user=user, club=None)
    return (
        Suspension.objects.filter(holder, lifted_at=None, starts_on__lte=today, ends_on__gte=today)
        .order_by("-ends_on")
        .first()
    )


def unspent_events(*, user=None, club: Club | None = None) -> list[rules.Event]:
    """The holder's penalty events no suspension has used yet."""
    holder = Q(club=club) if club is not None else Q(user=user, club=None)
    records = UsageRecord.objects.filter(holder, suspension=None, points__gt=0).values_list("day", "points")
    return [rules.Event(day, points) for day, points in records]


@dataclass
class PointsSummary:
    """What a resident (or a group's representative) sees of their record."""

    title: str
    records: list[UsageRecord]
    unspent_points: Decimal
    suspension: Suspension | None
    past_suspensions: list[Suspension] = field(default_factory=list)


def _summary(title: str, *, user=None, club: Club | None = None) -> PointsSummary:
    holder = Q(club=club) if club is not None else Q(user=user, club=None)
    records = list(
        UsageRecord.objects.filter(holder)
        .exclude(outcome=UsageRecord.Outcome.USED)
        .select_related("reservation__unit__facility", "reservation__frame")[:50]
    )
    suspensions = list(Suspension.objects.filter(holder)[:20])
    current = active_suspension(user=user, club=club)
    unspent = sum((e.points for e in unspent_events(user=user, club=club)), Decimal(0))
    return PointsSummary(
        title=title,
        records=records,
        unspent_points=unspent,
        suspension=current,
        past_suspensions=[s for s in suspensions if current is None or s.pk != current.pk],
    )


def my_points(user) -> PointsSummary:
    """The resident's own points and suspension (bookings they made for themselves)."""
    return _summary(user.get_full_name(), user=user)


def club_points_for(user, club_id: int) -> PointsSummary | None:
    """A group's points, for its representative only; None for anyone else (the view answers 404)."""
    club = Club.objects.filter(pk=club_id, representative=user).first() if user.is_authenticated else None
    if club is None:
        return None
    return _summary(club.name, club=club)


def represented_clubs(user) -> list[Club]:
    return list(Club.objects.filter(representative=user))


def panel_context(user) -> dict:
    """For the /my/ reservations panel: a suspension that stops the resident or one of their groups."""
    today = timezone.localdate()
    holders = Q(user=user, club=None) | Q(club__representative=user)
    suspension = (
        Suspension.objects.filter(holders, lifted_at=None, starts_on__lte=today, ends_on__gte=today)
        .select_related("club")
        .order_by("-ends_on")
        .first()
    )
    return {"penalty_suspension": suspension}


def day_reservations(facility: Facility, day: date) -> list[Reservation]:
    """The day's bookings of a facility for the staff's usage page, with their records."""
    return list(
        Reservation.objects.filter(unit__facility=facility, date=day, status=Reservation.Status.CONFIRMED)
        .select_related("unit", "frame", "user", "club", "usage_record")
        .order_by("start", "unit__sort_order", "pk")
    )


def suspensions_for_staff(*, current_only: bool = True, today: date | None = None):
    today = today or timezone.localdate()
    queryset = Suspension.objects.select_related("user", "club", "lifted_by")
    if current_only:
        queryset = queryset.filter(lifted_at=None, ends_on__gte=today)
    return queryset
