"""Writes for usage records and penalties: marking use / no-show, late cancellations, suspensions, lifting.

Refusals are :class:`PenaltyError` (``too_early``, ``not_markable``, ``already_suspended_points``,
``reason_required``, ``already_lifted``); the booking and lottery services refuse a suspended
holder with their own error class and the code ``suspended``. Nothing is written on a refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from facilities import display
from facilities.models import Club, Reservation
from facilities.penalties import rules
from facilities.penalties.models import Suspension, UsageRecord
from facilities.penalties.selectors import active_suspension, unspent_events
from notifications.services import queue_templated_mail
from portal.errors import ServiceError


class PenaltyError(ServiceError):
    """A mark or a lift that the rules refuse; nothing changed."""

    default_code = "penalty_refused"


# --- Settings ----------------------------------------------------------------------------
def points_for(outcome: str) -> Decimal:
    """The points an outcome costs under the town's settings (a used booking costs none)."""
    try:
        if outcome == UsageRecord.Outcome.NO_SHOW:
            return rules.parse_points(settings.FACILITIES_NO_SHOW_POINTS)
        if outcome == UsageRecord.Outcome.LATE_CANCEL:
            return rules.parse_points(settings.FACILITIES_LATE_CANCEL_POINTS)
    except rules.RuleSyntaxError as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    return Decimal(0)


def suspension_rules() -> tuple[rules.SuspensionRule, ...]:
    try:
        return rules.parse_rules(settings.FACILITIES_SUSPENSION_RULES)
    except rules.RuleSyntaxError as exc:
        raise ImproperlyConfigured(f"FACILITIES_SUSPENSION_RULES: {exc}") from exc


# --- The check the booking and lottery services make --------------------------------------
def _long_date(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def check_not_suspended(*, user, club: Club | None, error: type[ServiceError], today: date | None = None) -> None:
    """A suspended resident cannot book or apply, not even for a group; a suspended group cannot be booked for."""
    today = today or timezone.localdate()
    if user is not None and getattr(user, "pk", None):
        own = active_suspension(user=user, today=today)
        if own is not None:
            raise error(
                _(
                    "You cannot book or apply for a lottery until %(date)s, because of missed or late-cancelled "
                    "bookings."
                )
                % {"date": _long_date(own.ends_on)},
                code="suspended",
            )
    if club is not None:
        theirs = active_suspension(club=club, today=today)
        if theirs is not None:
            raise error(
                _(
                    "The group “%(name)s” cannot book or apply for a lottery until %(date)s, because of missed or "
                    "late-cancelled bookings."
                )
                % {"name": club.name, "date": _long_date(theirs.ends_on)},
                code="suspended",
            )


# --- Marking -------------------------------------------------------------------------------
def _holder(reservation: Reservation):
    """Who the points count against: the group of a group booking, else the resident (None: a counter customer)."""
    if reservation.club_id:
        return None, reservation.club
    return reservation.user, None


def _check_markable(reservation: Reservation, now: datetime) -> None:
    if reservation.status != Reservation.Status.CONFIRMED:
        raise PenaltyError(_("Only a confirmed booking can be marked used or not shown."), code="not_markable")
    if not rules.can_mark(reservation.start, now):
        label = reservation.frame.label if reservation.frame else ""
        slot = display.slot_when(reservation.date, label, reservation.start, reservation.end)
        raise PenaltyError(
            _("%(slot)s has not started yet. Mark it used or not shown at or after its start.") % {"slot": slot},
            code="too_early",
        )
    record = getattr(reservation, "usage_record", None)
    if record is not None and record.suspension_id:
        raise PenaltyError(
            _("The points of this booking led to a suspension; lift the suspension to correct it."),
            code="already_suspended_points",
        )


def _lock_holder(user, club) -> None:
    """One holder's points are added up by one request at a time, so two marks cannot both miss a threshold."""
    if club is not None:
        Club.objects.select_for_update().filter(pk=club.pk).first()
    elif user is not None:
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _write(reservation: Reservation, outcome: str, by, now: datetime) -> UsageRecord:
    user, club = _holder(reservation)
    _lock_holder(user, club)
    points = points_for(outcome) if (user or club) else Decimal(0)
    record, _created = UsageRecord.objects.update_or_create(
        reservation=reservation,
        defaults={
            "outcome": outcome,
            "points": points,
            "user": user,
            "club": club,
            "day": reservation.date,
            "recorded_at": now,
            "recorded_by": by,
        },
    )
    if points:
        apply_thresholds(user=user, club=club, today=timezone.localdate(now), now=now)
    return record


@transaction.atomic
def mark_usage(*, reservation: Reservation, outcome: str, by, now: datetime | None = None) -> UsageRecord:
    """Staff mark a booking used or not shown, at or after its start; a no-show costs points.

    Marking again corrects the mark (a no-show marked by mistake), unless a suspension already
    used its points.
    """
    return mark_usage_bulk(reservations=[reservation], outcome=outcome, by=by, now=now)[0]


@transaction.atomic
def mark_usage_bulk(
    *, reservations: Sequence[Reservation], outcome: str, by, now: datetime | None = None
) -> list[UsageRecord]:
    """Mark several bookings at once (the staff's day page), all or nothing."""
    now = now or timezone.now()
    if outcome not in (UsageRecord.Outcome.USED, UsageRecord.Outcome.NO_SHOW):
        raise PenaltyError(_("Choose used or not shown."), code="not_markable")
    if not reservations:
        raise PenaltyError(_("Choose at least one booking."), code="nothing_chosen")
    locked = list(
        Reservation.objects.select_for_update(of=("self",))
        .select_related("frame", "user", "club", "usage_record")
        .filter(pk__in=[r.pk for r in reservations])
        .order_by("start", "pk")
    )
    for reservation in locked:
        _check_markable(reservation, now)
    return [_write(reservation, outcome, by, now) for reservation in locked]


def record_late_cancellation(*, reservation: Reservation, now: datetime | None = None) -> UsageRecord | None:
    """Called by :func:`facilities.services.cancel` when a resident cancels: record it if it is late.

    Late means fewer than ``FACILITIES_LATE_CANCEL_DAYS`` days before the day of use. Staff
    cancellations (closures, mistakes) and maintenance blocks never count.
    """
    now = now or timezone.now()
    if reservation.source == Reservation.Source.MAINTENANCE:
        return None
    if not rules.is_late_cancellation(reservation.date, timezone.localdate(now), settings.FACILITIES_LATE_CANCEL_DAYS):
        return None
    return _write(reservation, UsageRecord.Outcome.LATE_CANCEL, None, now)


# --- Suspending ----------------------------------------------------------------------------
def apply_thresholds(
    *, user=None, club: Club | None = None, today: date, now: datetime | None = None
) -> Suspension | None:
    """Suspend the holder if their unspent points reach a rule's threshold; mail them. Idempotent."""
    if active_suspension(user=user, club=club, today=today) is not None:
        return None  # already suspended: the points wait for after it
    decision = rules.suspension_for(unspent_events(user=user, club=club), suspension_rules(), today)
    if decision is None:
        return None
    suspension = Suspension.objects.create(
        user=None if club is not None else user,
        club=club,
        starts_on=decision.starts_on,
        ends_on=decision.ends_on,
        points=decision.points,
        rule=str(decision.rule),
        created_at=now or timezone.now(),
    )
    holder = {"club": club} if club is not None else {"user": user, "club": None}
    UsageRecord.objects.filter(suspension=None, points__gt=0, **holder).update(suspension=suspension)
    recipient = club.representative if club is not None else user
    queue_templated_mail(
        template="facilities_suspended",
        context={"suspension": suspension, "club": club},
        to_email=recipient.email,
        recipient=recipient,
        idempotency_key=f"facilities:suspended:{suspension.pk}",
    )
    return suspension


@transaction.atomic
def lift(*, suspension: Suspension, by, reason: str, now: datetime | None = None) -> Suspension:
    """Staff lift a suspension early, with a reason (kept on the suspension; the view logs the access)."""
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.lifted_at is not None:
        raise PenaltyError(_("This suspension has already been lifted."), code="already_lifted")
    if not reason.strip():
        raise PenaltyError(_("Give the reason for lifting the suspension."), code="reason_required")
    suspension.lifted_at = now or timezone.now()
    suspension.lifted_by = by
    suspension.lift_reason = reason.strip()
    suspension.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return suspension
