"""Reads for the monthly lottery: open rounds, a resident's applications, the draw's inputs, the audit.

The draw's inputs are read here so the draw itself (:mod:`facilities.lottery.services`) and the
staff's replay of it use exactly the same rules:

* a choice takes part if its unit is bookable, the facility is open then and the slot has not
  started at the time of the draw (closed or past choices are skipped, the others keep their
  rank order);
* a slot is occupied if a reservation that is not part of this lottery holds one of its spaces.

A round with a commitment (every round since migration 0004) is drawn on its anonymous
application numbers, and what the draw saw and decided is published (:func:`public_document`)
so anyone can re-run it (:mod:`facilities.lottery.verify`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from facilities import display, rules
from facilities.lottery import draw as pure_draw
from facilities.lottery import verify
from facilities.models import LotteryApplication, LotteryChoice, LotteryRound, Occupancy, Reservation, TimeFrame
from facilities.selectors import Availability, holder_filter
from notifications.models import OutboundMail

#: The outbox key of an applicant's result mail is this and the application's id.
RESULT_MAIL_KEY = "facilities:lottery:result:"


def month_bounds(round: LotteryRound) -> tuple[date, date]:
    """The first and last day of the month a round is for."""
    days = rules.month_days(round.month)
    return days[0], days[-1]


def is_open(round: LotteryRound, *, now: datetime | None = None) -> bool:
    """A round takes applications from ``opens_at`` until just before ``closes_at``, until it is drawn."""
    now = now or timezone.now()
    return round.status == LotteryRound.Status.OPEN and round.opens_at <= now < round.closes_at


def open_rounds(*, now: datetime | None = None) -> QuerySet[LotteryRound]:
    """Rounds residents can apply to now, soonest closing first."""
    now = now or timezone.now()
    return (
        LotteryRound.objects.filter(status=LotteryRound.Status.OPEN, opens_at__lte=now, closes_at__gt=now)
        .select_related("facility")
        .order_by("closes_at", "facility__sort_order", "facility__name")
    )


def upcoming_rounds(*, now: datetime | None = None) -> QuerySet[LotteryRound]:
    """Rounds that will take applications later, soonest opening first."""
    now = now or timezone.now()
    return (
        LotteryRound.objects.filter(status=LotteryRound.Status.OPEN, opens_at__gt=now)
        .select_related("facility")
        .order_by("opens_at", "facility__sort_order", "facility__name")
    )


def drawn_rounds() -> QuerySet[LotteryRound]:
    """Drawn rounds, latest draw first (their public records)."""
    return (
        LotteryRound.objects.filter(status=LotteryRound.Status.DRAWN)
        .select_related("facility")
        .order_by("-drawn_at", "-pk")
    )


def _choices_prefetch() -> Prefetch:
    return Prefetch(
        "choices",
        queryset=LotteryChoice.objects.select_related("unit", "frame", "reservation").order_by("rank"),
    )


def applications_of(user) -> QuerySet[LotteryApplication]:
    """The lottery applications a resident made, for themselves or for a group, newest round first."""
    return (
        LotteryApplication.objects.filter(user=user)
        .select_related("round__facility", "club")
        .prefetch_related(_choices_prefetch())
        .order_by("-round__month", "round__facility__name", "pk")
    )


def application_for(user, application_id: int) -> LotteryApplication | None:
    """One of the resident's own applications, or None (another resident's is never returned)."""
    return applications_of(user).filter(pk=application_id).first()


def holder_application(round: LotteryRound, *, user, club) -> LotteryApplication | None:
    """The application (of any status) the person, or the group if ``club`` is given, made to a round."""
    return LotteryApplication.objects.filter(round=round, **holder_filter(user, club)).first()


def lottery_reservation_for(user, reservation_id: int) -> Reservation | None:
    """A lottery win of the resident (or of a group they represent), or None."""
    return (
        Reservation.objects.filter(Q(user=user) | Q(club__representative=user), source=Reservation.Source.LOTTERY)
        .select_related("unit__facility", "frame", "club")
        .filter(pk=reservation_id)
        .first()
    )


def wins_past_deadline(*, now: datetime) -> list[int]:
    """Ids of lottery wins still waiting for confirmation whose deadline has passed."""
    return list(
        Reservation.objects.filter(status=Reservation.Status.AWAITING, confirm_by__lt=now).values_list("pk", flat=True)
    )


# --- The draw's inputs -------------------------------------------------------------------
# A draw reads thousands of applications, so they are read as plain rows, not model instances.
@dataclass(frozen=True)
class ChoiceRow:
    pk: int
    application_id: int
    rank: int
    unit_id: int
    frame_id: int
    date: date
    reservation_id: int | None


@dataclass
class ApplicationRow:
    pk: int
    user_id: int
    club_id: int | None
    number: int
    choices: list[ChoiceRow] = field(default_factory=list)

    @property
    def applicant_key(self) -> str:
        """Who the win limit counts against: the group if the application is for a group."""
        return f"club:{self.club_id}" if self.club_id else f"user:{self.user_id}"


def application_rows(round: LotteryRound, statuses: Iterable[str]) -> list[ApplicationRow]:
    """The round's applications in these statuses with their choices, best first (two queries)."""
    statuses = list(statuses)
    rows = {
        pk: ApplicationRow(pk, user_id, club_id, number)
        for pk, user_id, club_id, number in LotteryApplication.objects.filter(round=round, status__in=statuses)
        .order_by("pk")
        .values_list("pk", "user_id", "club_id", "number")
    }
    choices = (
        LotteryChoice.objects.filter(application__round=round, application__status__in=statuses)
        .order_by("application_id", "rank")
        .values_list("pk", "application_id", "rank", "unit_id", "frame_id", "date", "reservation_id")
    )
    for values in choices:
        choice = ChoiceRow(*values)
        rows[choice.application_id].choices.append(choice)
    return list(rows.values())


@dataclass
class DrawInput:
    """What the pure draw is given, and how to map its answer back to the database.

    The pure draw knows an application by its *draw id*: its number in a round with a
    commitment, its database id in a round drawn before commitments were published.
    """

    applications: list[pure_draw.Application]
    occupied: list[tuple[int, datetime, datetime]]
    rule: str = pure_draw.SHA256_RULE
    #: (draw id, position in its eligible choices, 1-based) -> the choice
    choice_at: dict[tuple[int, int], ChoiceRow] = field(default_factory=dict)
    #: draw id -> the application
    rows: dict[int, ApplicationRow] = field(default_factory=dict)
    spaces: dict[int, set[int]] = field(default_factory=dict)
    frames: dict[int, TimeFrame] = field(default_factory=dict)
    units: dict[int, Any] = field(default_factory=dict)

    def run(self, round: LotteryRound) -> pure_draw.DrawResult:
        """The pure draw of these inputs with the round's seed and limits."""
        return pure_draw.draw(
            seed=round.seed,
            applications=self.applications,
            occupied=self.occupied,
            max_wins=round.max_wins,
            rule=self.rule,
        )

    def published(self, result: pure_draw.DrawResult, *, max_wins: int) -> dict[str, Any]:
        """The inputs and result as published after the draw (:func:`facilities.lottery.verify.published_draw`)."""
        slot_ids, labels = {}, {}
        for application in self.applications:
            for choice in application.choices:
                if choice.slot in slot_ids:
                    continue
                unit_id, frame_id, day = choice.slot
                frame = self.frames[frame_id]
                slot_ids[choice.slot] = f"{day.isoformat()}/{unit_id}/{frame_id}"
                labels[choice.slot] = {
                    "date": day.isoformat(),
                    "time": display.slot_time(frame.label, frame.start, frame.end),
                    "unit": self.units[unit_id].name,
                }
        return verify.published_draw(
            rule=self.rule,
            max_wins=max_wins,
            applications=self.applications,
            occupied=self.occupied,
            result=result,
            slot_ids=slot_ids,
            slot_labels=labels,
        )


def draw_input(
    round: LotteryRound,
    applications: Iterable[ApplicationRow],
    occupied: Iterable[tuple[int, datetime, datetime]],
    *,
    now: datetime,
) -> DrawInput:
    """Turn application rows into the pure draw's input, at the time ``now`` (closed or past choices are left out)."""
    first, last = month_bounds(round)
    availability = Availability(round.facility, first, last, now=now)
    units = {unit.pk: unit for unit in availability.units}
    frames = {frame.pk: frame for unit_frames in availability.frames.values() for frame in unit_frames}
    numbered = round.order_rule == pure_draw.SHA256_RULE
    result = DrawInput(
        applications=[],
        occupied=list(occupied),
        rule=round.order_rule or pure_draw.SHUFFLE_RULE,
        spaces=availability.spaces,
        frames=frames,
        units=units,
    )
    eligible: dict[tuple[int, int, date], tuple[datetime, datetime] | None] = {}
    for application in applications:
        # Numbered rounds: one application is one applicant (one per person, one per group).
        draw_id = application.number if numbered else application.pk
        applicant = application.number if numbered else application.applicant_key
        result.rows[draw_id] = application
        choices = []
        for choice in application.choices:
            slot = (choice.unit_id, choice.frame_id, choice.date)
            if slot not in eligible:
                unit, frame = units[choice.unit_id], frames[choice.frame_id]
                start, end = frame.bounds(choice.date)
                ok = (
                    unit.active
                    and start > now
                    and not availability.is_closed(unit, choice.date)
                    and availability.within_hours(frame, choice.date)
                )
                eligible[slot] = (start, end) if ok else None
            if eligible[slot] is None:
                continue
            start, end = eligible[slot]
            choices.append(pure_draw.Choice(slot, frozenset(availability.spaces[choice.unit_id]), start, end))
            result.choice_at[(draw_id, len(choices))] = choice
        result.applications.append(pure_draw.Application(draw_id, applicant, tuple(choices)))
    return result


def current_occupancy(round: LotteryRound) -> list[tuple[int, datetime, datetime]]:
    """Every space of the facility held during the round's month now."""
    first, last = month_bounds(round)
    return list(
        Occupancy.objects.filter(
            space__facility_id=round.facility_id,
            start__lt=rules.local(last + timedelta(days=1)),
            end__gt=rules.local(first),
        ).values_list("space_id", "start", "end")
    )


def occupancy_at_draw(round: LotteryRound, spaces: dict[int, set[int]]) -> list[tuple[int, datetime, datetime]]:
    """The occupancy the draw saw, rebuilt from reservation records.

    Reservations are never deleted (they are cancelled), so the ones that held a slot when the
    round was drawn are those made before the draw and not cancelled before it, other than this
    lottery's own wins.
    """
    first, last = month_bounds(round)
    reservations = (
        Reservation.objects.filter(
            unit__facility_id=round.facility_id,
            start__lt=rules.local(last + timedelta(days=1)),
            end__gt=rules.local(first),
            created_at__lt=round.drawn_at,
        )
        .filter(
            Q(status__in=Reservation.ACTIVE) | Q(status=Reservation.Status.CANCELLED, cancelled_at__gte=round.drawn_at)
        )
        .exclude(lottery_choice__application__round=round)
        .values_list("unit_id", "start", "end")
    )
    return [(space, start, end) for unit_id, start, end in reservations for space in spaces.get(unit_id, {unit_id})]


def unmailed_applications(round: LotteryRound) -> QuerySet[LotteryApplication]:
    """Applicants of a drawn round whose result mail is not in the outbox yet, with what the mail shows."""
    mailed = OutboundMail.objects.filter(
        idempotency_key=Concat(Value(RESULT_MAIL_KEY), Cast(OuterRef("pk"), CharField()))
    )
    return (
        LotteryApplication.objects.filter(
            round=round, status__in=[LotteryApplication.Status.WON, LotteryApplication.Status.LOST]
        )
        .exclude(Exists(mailed))
        .select_related("user", "club")
        .prefetch_related(_choices_prefetch())
        .order_by("pk")
    )


def pending_draw_input(round: LotteryRound, *, now: datetime) -> tuple[list[ApplicationRow], DrawInput]:
    """The input of a draw made now: submitted applications and the occupancy of the moment."""
    applications = application_rows(round, [LotteryApplication.Status.SUBMITTED])
    return applications, draw_input(round, applications, current_occupancy(round), now=now)


# --- Replay and audit ---------------------------------------------------------------------
@dataclass
class Replay:
    """The draw recomputed from its seed, compared with what was recorded."""

    order_matches: bool
    assignments_match: bool
    replayed_order: list[int]
    #: applications whose recorded wins differ from the replay's
    differing_applications: list[int]

    @property
    def matches(self) -> bool:
        return self.order_matches and self.assignments_match


def replay(round: LotteryRound) -> Replay:
    """Recompute a drawn round from its recorded seed and compare it with the recorded result.

    The order depends only on the seed and the application ids, so it always matches unless an
    applicant deleted their account. The wins are recomputed from the applications, the
    reservations that held slots at the time of the draw, and the units' closures and opening
    hours as they are now: a closure added after the draw, or a unit taken out of use, can
    explain a difference.
    """
    if round.status != LotteryRound.Status.DRAWN:
        raise ValueError("Only a drawn round can be replayed.")
    applications = application_rows(round, [LotteryApplication.Status.WON, LotteryApplication.Status.LOST])
    data = draw_input(round, applications, [], now=round.drawn_at)
    data.occupied = occupancy_at_draw(round, data.spaces)
    result = data.run(round)
    replayed: dict[int, set[int]] = {a.pk: set() for a in applications}
    for assignment in result.assignments:
        pk = data.rows[assignment.application_id].pk
        replayed[pk].add(data.choice_at[(assignment.application_id, assignment.rank)].pk)
    recorded = {a.pk: {c.pk for c in a.choices if c.reservation_id} for a in applications}
    differing = sorted(pk for pk in recorded if recorded[pk] != replayed[pk])
    order = [data.rows[draw_id].pk for draw_id in result.order]
    return Replay(
        order_matches=order == list(round.draw_order),
        assignments_match=not differing,
        replayed_order=order,
        differing_applications=differing,
    )


@dataclass
class AuditRow:
    position: int
    application: LotteryApplication | None
    application_id: int
    won: list[LotteryChoice]


@dataclass
class RoundAudit:
    round: LotteryRound
    rows: list[AuditRow]
    applications: int
    winners: int
    slots_won: int
    confirmed: int
    replay: Replay | None


def round_audit(round: LotteryRound, *, with_replay: bool = True) -> RoundAudit:
    """Everything staff need to explain a draw: the seed, the order of applicants, each win.

    Rows follow the recorded order; an application deleted since (its resident left) keeps its
    place with its id only.
    """
    applications = {
        a.pk: a
        for a in LotteryApplication.objects.filter(round=round)
        .select_related("user", "club")
        .prefetch_related(_choices_prefetch())
    }
    rows = []
    for position, app_id in enumerate(round.draw_order or [], start=1):
        application = applications.get(app_id)
        won = [c for c in application.choices.all() if c.reservation_id] if application else []
        rows.append(AuditRow(position=position, application=application, application_id=app_id, won=won))
    wins = [c for row in rows for c in row.won]
    drawn = round.status == LotteryRound.Status.DRAWN
    return RoundAudit(
        round=round,
        rows=rows,
        applications=len(rows),
        winners=sum(1 for row in rows if row.won),
        slots_won=len(wins),
        confirmed=sum(1 for c in wins if c.reservation.status == Reservation.Status.CONFIRMED),
        replay=replay(round) if drawn and with_replay else None,
    )


# --- The public record --------------------------------------------------------------------
def public_round(round_id: int) -> LotteryRound | None:
    """A round's public record (every round is public: its page shows no personal data)."""
    return LotteryRound.objects.select_related("facility").filter(pk=round_id).first()


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def public_document(round: LotteryRound) -> dict[str, Any]:
    """What a round publishes, as the JSON its page links to and :mod:`facilities.lottery.verify` reads.

    From the round's creation: its rules and the commitment (the SHA-256 of the secret seed).
    After the draw: the seed, and the inputs, the order of application numbers and the winners
    (``draw``). A round drawn before commitments were published shows neither seed nor draw.
    """
    drawn = round.status == LotteryRound.Status.DRAWN
    published = drawn and round.verifiable
    return {
        "format": verify.FORMAT,
        "round": {
            "id": round.pk,
            "facility": round.facility.name,
            "month": f"{round.month:%Y-%m}",
            "applications_open": _iso(round.opens_at),
            "applications_close": _iso(round.closes_at),
            "max_choices": round.max_choices,
            "max_wins": round.max_wins,
        },
        "status": round.status,
        "commitment_algorithm": "sha256" if round.verifiable else None,
        "commitment": round.commitment or None,
        "committed_at": _iso(round.committed_at),
        "ordering_rule": round.order_rule or None,
        "seed": round.seed if published else None,
        "drawn_at": _iso(round.drawn_at) if drawn else None,
        "draw": round.published_draw if published else None,
    }


@dataclass
class PublicDraw:
    """A drawn round's published result, arranged for its page."""

    #: (position, application number, the slots it won as their published entries)
    order: list[tuple[int, int, list[dict[str, Any]]]]
    #: (slot entry, winning number, the winner's choice rank), by slot time
    winners: list[tuple[dict[str, Any], int, int]]
    slots: int
    applications: int


def public_draw(round: LotteryRound) -> PublicDraw | None:
    """The published draw of a round, for its page; None before the draw or without a commitment."""
    part = round.published_draw if round.verifiable and round.status == LotteryRound.Status.DRAWN else None
    if not part:
        return None
    slots = {}
    for slot in part["slots"]:
        day = date.fromisoformat(slot["date"])
        slots[slot["id"]] = {**slot, "label": f"{display.day_text(day)} {slot['time']} {slot['unit']}"}
    won: dict[int, list[dict[str, Any]]] = {}
    for winner in part["winners"]:
        won.setdefault(winner["number"], []).append(slots[winner["slot"]])
    winners = sorted(
        ((slots[w["slot"]], w["number"], w["choice"]) for w in part["winners"]),
        key=lambda row: (row[0]["start"], row[0]["id"]),
    )
    return PublicDraw(
        order=[(i, number, won.get(number, [])) for i, number in enumerate(part["order"], start=1)],
        winners=winners,
        slots=len(slots),
        applications=len(part["applications"]),
    )


def published_check(round: LotteryRound) -> verify.Verification:
    """:func:`facilities.lottery.verify.verify` on the round's published record, cached once drawn.

    A drawn round's published record never changes (the database refuses it), so neither does
    its check; the cache key names the draw so a round drawn later is never answered from before.
    """
    if round.status != LotteryRound.Status.DRAWN:
        return verify.verify(public_document(round))
    key = f"facilities:lottery:check:{round.pk}:{round.drawn_at.timestamp() if round.drawn_at else ''}"
    outcome = cache.get(key)
    if outcome is None:
        outcome = verify.verify(public_document(round))
        outcome.order, outcome.winners = [], []  # not needed by the page; keeps the cache small
        cache.set(key, outcome, 24 * 3600)
    return outcome


#: The parts of a published draw a saved file is compared on (besides the commitment and the seed).
DRAW_PARTS = ("ordering_rule", "max_wins", "slots", "applications", "occupied", "order", "winners")


def compare_with_published(round: LotteryRound, document: Any) -> verify.Verification:
    """Compare a saved copy of the round's published record with the record as published now.

    A copy equal to the record gets the record's own check; a copy whose seed does not hash to
    its commitment is refused as such; any other difference is ``differs``, naming the parts.
    """
    if not isinstance(document, dict) or document.get("format") != verify.FORMAT:
        return verify.Verification("malformed", f"the format is not {verify.FORMAT}")
    published = public_document(round)
    seed, commitment = document.get("seed"), document.get("commitment")
    if isinstance(seed, str) and isinstance(commitment, str) and pure_draw.commitment_of(seed) != commitment.lower():
        return verify.Verification("commitment_mismatch")
    mine, theirs = published.get("draw") or {}, document.get("draw") or {}
    if not isinstance(theirs, dict):
        return verify.Verification("malformed", "the draw is not an object")
    differing = [name for name in ("commitment", "seed") if published.get(name) != document.get(name)]
    differing += [name for name in DRAW_PARTS if mine.get(name) != theirs.get(name)]
    if not isinstance(document.get("round"), dict) or document["round"].get("id") != round.pk:
        differing.insert(0, "round")
    if differing:
        return verify.Verification("differs", ", ".join(differing))
    return published_check(round)
