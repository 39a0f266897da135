"""Writes for the monthly lottery (抽選): apply, withdraw, draw, confirm a win, expire unconfirmed wins.

The life of a round, in plain words:

* While a round is open, a resident applies once per round for themselves, and once for each
  approved group they represent, with up to ``max_choices`` ranked slots of that facility's
  month. They may withdraw and apply again until it closes.
* A round commits to its draw when it is created: its secret seed is made then and its
  SHA-256 (the commitment) is published on the round's page; neither can change afterwards.
  Each application gets a random application number (申込番号) in its round.
* After it closes, a scheduled task draws it (:func:`draw`): the pure draw in
  :mod:`facilities.lottery.draw` decides on the application numbers with the committed seed,
  winners get reservations that wait for their confirmation (AWAITING), the seed and what the
  draw saw and decided are published, and every applicant is mailed the result. A drawn round
  is never drawn again; :func:`~facilities.lottery.selectors.replay` recomputes it for staff,
  and :mod:`facilities.lottery.verify` lets anyone recompute it from the published data.
* A winner confirms before the deadline (``confirm_days`` days after the draw, until 23:59);
  otherwise the win expires and the slot returns to first-come booking, which opens for the
  month only once it is drawn.

Every refusal is a :class:`~facilities.errors.LotteryError` with a stable code. The rules a
lottery shares with booking (who may act for a group, units for groups only, why a slot cannot
be had) are the functions of :mod:`facilities.services`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities import display, rules
from facilities.errors import LotteryError
from facilities.lottery import draw as pure_draw
from facilities.lottery.selectors import (
    RESULT_MAIL_KEY,
    ChoiceRow,
    DrawInput,
    Replay,
    holder_application,
    is_open,
    pending_draw_input,
    unmailed_applications,
    wins_past_deadline,
)
from facilities.lottery.selectors import replay as replay_round
from facilities.models import (
    Club,
    Fee,
    LotteryApplication,
    LotteryChoice,
    LotteryRound,
    Occupancy,
    Reservation,
    TimeFrame,
    Unit,
)
from facilities.payments.services import set_pay_by
from facilities.penalties import services as penalties
from facilities.selectors import Availability
from facilities.services import check_group, check_groups_only, resident_rate, send_booking_mail, slot_refusal
from notifications.services import queue_templated_mail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChoiceRequest:
    """One ranked wish of an application: a unit, one of its time frames, a day."""

    unit: Unit
    frame: TimeFrame
    day: date


def _label(request: ChoiceRequest) -> str:
    slot = display.slot_when(request.day, request.frame.label, request.frame.start, request.frame.end)
    return f"{slot} {request.unit.name}"


def _locked_round(round: LotteryRound) -> LotteryRound:
    """The round, locked: applying, withdrawing and drawing one round happen one at a time."""
    return LotteryRound.objects.select_for_update(of=("self",)).select_related("facility").get(pk=round.pk)


def _check_choices(round: LotteryRound, choices: Sequence[ChoiceRequest], club: Club | None, now: datetime) -> None:
    """Each choice is a distinct, bookable slot of the round's facility in the round's month."""
    if not choices:
        raise LotteryError(_("Choose at least one time slot."), code="no_slot")
    if len(choices) > round.max_choices:
        raise LotteryError(_("You can choose at most %(n)d slots.") % {"n": round.max_choices}, code="too_many_choices")
    if len({(c.unit.pk, c.frame.pk, c.day) for c in choices}) != len(choices):
        raise LotteryError(_("The same slot was chosen twice."), code="duplicate_slot")
    days = rules.month_days(round.month)
    availability = Availability(round.facility, days[0], days[-1], now=now)
    for request in choices:
        if request.unit.facility_id != round.facility_id:
            raise LotteryError(_("That unit is not part of this facility."), code="wrong_facility")
        if request.frame.unit_id != request.unit.pk:
            raise LotteryError(_("That time slot does not belong to this unit."), code="wrong_unit")
        if rules.first_of_month(request.day) != round.month:
            raise LotteryError(
                _("%(slot)s is not in the month of this lottery.") % {"slot": display.day_text(request.day)},
                code="outside_month",
            )
        check_groups_only(request.unit, club, error=LotteryError)
        # The booking window does not apply: the month is booked by this lottery, not first-come.
        slot = availability.slot(request.unit, request.frame, request.day, ignore_window=True)
        if not slot.is_free:
            raise slot_refusal(slot.state, _label(request), error=LotteryError, lottery=True)


@transaction.atomic
def apply(
    *,
    user,
    round: LotteryRound,
    choices: Sequence[ChoiceRequest],
    club: Club | None = None,
    now: datetime | None = None,
) -> LotteryApplication:
    """Apply to a lottery round with ranked choices (the first is the most wanted); all or nothing.

    The rules: the round takes applications now; one to ``max_choices`` distinct slots, each a
    frame of a bookable unit of the round's facility on an open day of the round's month; a
    unit for groups only needs an approved group, applied for by its representative; one
    application per person and one per group in each round (a withdrawn one may be replaced).
    """
    now = now or timezone.now()
    round = _locked_round(round)
    if not is_open(round, now=now):
        raise LotteryError(_("This lottery is not taking applications now."), code="not_open")
    if club is not None:
        check_group(club, user, error=LotteryError, applying=True)
    penalties.check_not_suspended(user=user, club=club, error=LotteryError, today=timezone.localdate(now))
    _check_choices(round, choices, club, now)

    application = holder_application(round, user=user, club=club)
    if application is not None and application.status != LotteryApplication.Status.WITHDRAWN:
        if club is not None:
            raise LotteryError(_("This group has already applied to this lottery."), code="already_applied")
        raise LotteryError(_("You have already applied to this lottery."), code="already_applied")
    try:
        with transaction.atomic():
            if application is None:  # the round is locked: the new number is unique in it
                taken = set(round.applications.values_list("number", flat=True))
                application = LotteryApplication.objects.create(
                    round=round, user=user, club=club, created_at=now, number=LotteryApplication.new_numbers(taken)[0]
                )
            else:  # applying again after withdrawing: the same row, new choices
                application.choices.all().delete()
                application.user = user
                application.status = LotteryApplication.Status.SUBMITTED
                application.created_at = now
                application.save(update_fields=["user", "status", "created_at"])
            LotteryChoice.objects.bulk_create(
                LotteryChoice(application=application, rank=rank, unit=c.unit, frame=c.frame, date=c.day)
                for rank, c in enumerate(choices, start=1)
            )
    except IntegrityError as exc:  # a second tab submitted at the same moment
        raise LotteryError(_("You have already applied to this lottery."), code="already_applied") from exc
    return application


@transaction.atomic
def withdraw(*, application: LotteryApplication, user, now: datetime | None = None) -> LotteryApplication:
    """The applicant withdraws their application while the round is still open."""
    round = _locked_round(application.round)
    application = LotteryApplication.objects.select_for_update().get(pk=application.pk)
    if application.user_id != user.pk:
        raise LotteryError(_("This application is not yours."), code="not_yours")
    if not is_open(round, now=now):
        raise LotteryError(_("Applications can only be withdrawn until the lottery closes."), code="not_open")
    if application.status != LotteryApplication.Status.SUBMITTED:
        raise LotteryError(_("This application is already withdrawn."), code="already_withdrawn")
    application.status = LotteryApplication.Status.WITHDRAWN
    application.save(update_fields=["status"])
    return application


# --- The draw ------------------------------------------------------------------------------
def confirm_deadline(round: LotteryRound, drawn_at: datetime, slot_start: datetime) -> datetime:
    """Winners confirm until 23:59 on the ``confirm_days``-th day after the draw (never after the slot starts)."""
    last_day = timezone.localtime(drawn_at).date() + timedelta(days=round.confirm_days)
    return min(rules.local(last_day, time(23, 59)), slot_start)


def ensure_commitment(round: LotteryRound, *, now: datetime | None = None) -> str:
    """The round's committed seed, checked against its commitment; return it.

    Every round commits when it is created (:meth:`LotteryRound.save`). A round that somehow has
    no commitment (written around ``save``) commits now, in its own transaction, and its page
    then shows that the commitment came late. A seed that does not hash to the commitment is
    refused: the round is not drawn.
    """
    with transaction.atomic():
        locked = LotteryRound.objects.select_for_update().get(pk=round.pk)
        if not locked.commitment:
            locked.commit(now)
            LotteryRound.objects.filter(pk=round.pk, commitment="").update(
                seed=locked.seed,
                commitment=locked.commitment,
                committed_at=locked.committed_at,
                order_rule=locked.order_rule,
            )
    round.seed, round.commitment, round.committed_at, round.order_rule = LotteryRound.objects.values_list(
        "seed", "commitment", "committed_at", "order_rule"
    ).get(pk=round.pk)
    if pure_draw.commitment_of(round.seed) != round.commitment:
        raise LotteryError(_("The seed does not match the published commitment."), code="commitment_mismatch")
    return round.seed


def _record_url(round: LotteryRound) -> str:
    """The round's public record (seed, order, winners), or "" when the public pages are not installed."""
    try:
        return settings.SITE_URL + reverse("facilities:lottery_round", args=[round.pk])
    except NoReverseMatch:
        return ""


def _lottery_url() -> str:
    try:
        return settings.SITE_URL + reverse("facilities:lottery_mine")
    except NoReverseMatch:  # the resident pages are not installed
        return settings.SITE_URL + "/my/"


def draw(round: LotteryRound, *, now: datetime | None = None) -> LotteryRound:
    """Draw a closed round once: reservations for the winners, WON/LOST on every application, a mail to each.

    A round that is already drawn is returned unchanged; a round still taking applications is
    refused. Winners' reservations wait for confirmation (AWAITING) until the deadline of
    :func:`confirm_deadline`. Lottery wins skip the first-come limits (``max_wins`` is the
    lottery's own limit) but never the database's overlap check.

    The result mails are queued after the draw commits, by a task (:func:`mail_results`): a
    draw of thousands of applications stays one short transaction, and a mail task that is
    lost (or could not be sent to the broker: the draw stays committed and the error is raised)
    is caught up by the periodic draw task.
    """
    now = now or timezone.now()
    if round.status == LotteryRound.Status.DRAWN:
        return round
    if now < round.closes_at:
        raise LotteryError(
            _("This lottery is still taking applications; it is drawn after it closes."), code="still_open"
        )
    ensure_commitment(round, now=now)
    with transaction.atomic():
        round = _locked_round(round)
        if round.status == LotteryRound.Status.DRAWN:
            return round
        applications, data = pending_draw_input(round, now=now)
        result = data.run(round)
        won = _create_wins(round, data, result, now)
        won_ids = {choice.application_id for choice in won}
        LotteryApplication.objects.filter(pk__in=won_ids).update(status=LotteryApplication.Status.WON)
        LotteryApplication.objects.filter(round=round, status=LotteryApplication.Status.SUBMITTED).update(
            status=LotteryApplication.Status.LOST
        )
        round.status = LotteryRound.Status.DRAWN
        round.draw_order = [data.rows[draw_id].pk for draw_id in result.order]
        round.drawn_at = now
        fields = ["status", "draw_order", "drawn_at"]
        if round.verifiable:
            round.published_draw = data.published(result, max_wins=round.max_wins)
            fields.append("published_draw")
        round.save(update_fields=fields)
        _mail_results_after_commit(round.pk)
    logger.info("Lottery %s drawn: %d applications, %d slots won", round.pk, len(applications), len(won))
    return round


def _mail_results_after_commit(round_id: int) -> None:
    """Queue the task that mails the results once the draw commits.

    The task is found by its name, as the beat schedule finds tasks: ``lottery/tasks.py`` calls
    this module, so importing it back would make an import loop. ``FacilitiesConfig.ready``
    registers the tasks in every process.
    """
    current_app.tasks["facilities.mail_lottery_results"].delay_on_commit(round_id)


def _create_wins(
    round: LotteryRound,
    data: DrawInput,
    result: pure_draw.DrawResult,
    now: datetime,
) -> list[ChoiceRow]:
    """Write the winners' reservations (AWAITING), their occupancies and the link from each won choice, in bulk."""
    winners = [data.rows[a.application_id] for a in result.assignments]
    users = get_user_model().objects.only("pk", "district_id").in_bulk({a.user_id for a in winners})
    clubs = Club.objects.in_bulk({a.club_id for a in winners if a.club_id})
    fees = {
        (f.frame_id, f.resident, f.day_type): f.amount for f in Fee.objects.filter(unit__facility_id=round.facility_id)
    }
    won: list[ChoiceRow] = []
    reservations: list[Reservation] = []
    for assignment, application in zip(result.assignments, winners, strict=True):
        choice = data.choice_at[(assignment.application_id, assignment.rank)]
        start, end = data.frames[choice.frame_id].bounds(choice.date)
        resident = resident_rate(users[application.user_id], clubs.get(application.club_id))
        reservations.append(
            Reservation(
                unit_id=choice.unit_id,
                frame_id=choice.frame_id,
                date=choice.date,
                start=start,
                end=end,
                user_id=application.user_id,
                club_id=application.club_id,
                status=Reservation.Status.AWAITING,
                source=Reservation.Source.LOTTERY,
                resident_rate=resident,
                fee=fees.get((choice.frame_id, resident, rules.day_type(choice.date)), 0),
                confirm_by=confirm_deadline(round, now, start),
                created_at=now,
                created_by_id=application.user_id,
            )
        )
        won.append(choice)
    Reservation.objects.bulk_create(reservations, batch_size=500)
    Occupancy.objects.bulk_create(
        (
            Occupancy(reservation=r, space_id=space, start=r.start, end=r.end)
            for r in reservations
            for space in sorted(data.spaces[r.unit_id])
        ),
        batch_size=1000,
    )
    LotteryChoice.objects.bulk_update(
        [LotteryChoice(pk=c.pk, reservation_id=r.pk) for c, r in zip(won, reservations, strict=True)],
        ["reservation"],
        batch_size=500,
    )
    return won


#: Applications whose result mails are queued in one transaction.
MAIL_BATCH = 200


def mail_results(round: LotteryRound, *, limit: int | None = None) -> int:
    """Queue the result mail of each applicant of a drawn round who has not been mailed yet.

    Every applicant gets one mail (the outbox key is per application), winners with their
    deadline to confirm. Works in batches, each in its own transaction; returns how many mails
    were queued (at most about ``limit``).
    """
    url = _lottery_url()
    queued = 0
    seen: set[int] = set()
    while limit is None or queued < limit:
        batch = [a for a in unmailed_applications(round)[:MAIL_BATCH] if a.pk not in seen]
        if not batch:
            break
        with transaction.atomic():
            for application in batch:
                _mail_result(round, application, url)
        seen.update(a.pk for a in batch)
        queued += len(batch)
    return queued


def _mail_result(round: LotteryRound, application: LotteryApplication, url: str) -> None:
    choices = list(application.choices.all())
    wins = [c for c in choices if c.reservation_id]
    queue_templated_mail(
        template="facilities_lottery_result",
        context={
            "round": round,
            "facility": round.facility,
            "application": application,
            "choices": [(c, bool(c.reservation_id)) for c in choices],
            "wins": wins,
            "confirm_by": min((c.reservation.confirm_by for c in wins), default=None),
            "url": url,
            "record_url": _record_url(round) if round.verifiable else "",
        },
        to_email=application.user.email,
        recipient=application.user,
        idempotency_key=f"{RESULT_MAIL_KEY}{application.pk}",
    )


def replay(round: LotteryRound) -> Replay:
    """Recompute a drawn round from its seed and compare (see :func:`facilities.lottery.selectors.replay`)."""
    return replay_round(round)


# --- After the draw -----------------------------------------------------------------------
@transaction.atomic
def confirm(*, reservation: Reservation, user, now: datetime | None = None) -> Reservation:
    """The winner confirms a lottery win before its deadline; it becomes a booking, mailed with an .ics."""
    now = now or timezone.now()
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("unit__facility", "frame", "club")
        .get(pk=reservation.pk)
    )
    holder = reservation.club.representative_id if reservation.club_id else reservation.user_id
    if holder != user.pk:
        raise LotteryError(_("This reservation is not yours."), code="not_yours")
    if reservation.status == Reservation.Status.CONFIRMED:
        raise LotteryError(_("This win is already confirmed."), code="already_confirmed")
    if reservation.status == Reservation.Status.EXPIRED or (
        reservation.status == Reservation.Status.AWAITING and reservation.confirm_by and now > reservation.confirm_by
    ):
        raise LotteryError(
            _("The deadline to confirm this win has passed; the slot was released."), code="deadline_passed"
        )
    if reservation.status != Reservation.Status.AWAITING:
        raise LotteryError(_("This reservation can no longer be confirmed."), code="not_confirmable")
    reservation.status = Reservation.Status.CONFIRMED
    reservation.save(update_fields=["status"])
    set_pay_by([reservation], now=now)  # the facility's pay-by deadline counts from the confirmation
    send_booking_mail([reservation])
    return reservation


def can_confirm(reservation: Reservation, *, now: datetime | None = None) -> bool:
    """A lottery win can be confirmed while it waits and its deadline has not passed."""
    now = now or timezone.now()
    return reservation.status == Reservation.Status.AWAITING and (
        reservation.confirm_by is None or now <= reservation.confirm_by
    )


def expire_unconfirmed(*, now: datetime | None = None) -> int:
    """Wins not confirmed by their deadline expire and free their slot for first-come booking.

    Returns how many expired. Each is expired in its own short transaction, locked against a
    confirmation arriving at the same moment; running this twice changes nothing more.
    """
    now = now or timezone.now()
    expired = 0
    for pk in wins_past_deadline(now=now):
        with transaction.atomic():
            reservation = (
                Reservation.objects.select_for_update()
                .filter(pk=pk, status=Reservation.Status.AWAITING, confirm_by__lt=now)
                .first()
            )
            if reservation is None:  # confirmed or expired meanwhile
                continue
            reservation.status = Reservation.Status.EXPIRED
            reservation.save(update_fields=["status"])
            reservation.occupancies.all().delete()
            expired += 1
    return expired
