"""The monthly lottery (抽選): a fair, reproducible draw, its rules, its mails and its scheduled tasks.

The draw itself is a pure function (facilities.lottery.draw), tested with hypothesis; the services
around it are tested against the database; the resident pages at the end.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from facilities import reminders, rules, tasks
from facilities.errors import LotteryError
from facilities.lottery import draw as pure_draw
from facilities.lottery import services as lottery_services
from facilities.lottery.selectors import replay, round_audit
from facilities.lottery.services import ChoiceRequest
from facilities.models import (
    Closure,
    Club,
    Facility,
    Fee,
    LotteryApplication,
    LotteryChoice,
    LotteryRound,
    Occupancy,
    OpeningHours,
    Reservation,
    TimeFrame,
    Unit,
)
from facilities.selectors import Availability, SlotState
from facilities.services import SlotRequest, block, book, cancel
from notifications.models import OutboundMail
from portal.models import District
from tests.portal.factories import UserFactory


# --- The pure draw ------------------------------------------------------------------------
def _conflict(a: pure_draw.Choice, b: pure_draw.Choice) -> bool:
    return bool(a.spaces & b.spaces) and a.start < b.end and b.start < a.end


def _sample_applications(n: int = 30) -> list[pure_draw.Application]:
    slots = [pure_draw.Choice(slot=i, spaces=frozenset({i % 4}), start=i // 4, end=i // 4 + 1) for i in range(12)]
    return [
        pure_draw.Application(
            id=i, applicant=f"user:{i}", choices=(slots[i % 12], slots[(i * 5) % 12], slots[(i + 7) % 12])
        )
        for i in range(1, n + 1)
    ]


def test_same_seed_gives_the_same_order_and_wins_and_another_seed_does_not():
    apps = _sample_applications()
    first = pure_draw.draw(seed="3f9a", applications=apps, max_wins=2)
    again = pure_draw.draw(seed="3f9a", applications=list(reversed(apps)), max_wins=2)
    assert first.order == again.order
    assert first.assignments == again.assignments
    other = pure_draw.draw(seed="77c1", applications=apps, max_wins=2)
    assert other.order != first.order  # 30! orders: equal only by a vanishing chance
    assert sorted(first.order) == list(range(1, 31))


def test_each_pass_gives_one_slot_so_the_first_in_order_cannot_take_two_before_others_have_one():
    a, b = (pure_draw.Choice(slot=s, spaces=frozenset({s}), start=0, end=1) for s in "ab")
    apps = [pure_draw.Application(1, "user:1", (a, b)), pure_draw.Application(2, "user:2", (b,))]
    # Taking all wins at once, applicant 1 first would get a and b and leave 2 with nothing.
    for seed in range(20):
        result = pure_draw.draw(seed=seed, applications=apps, max_wins=2)
        assert sorted((x.application_id, x.slot) for x in result.assignments) == [(1, "a"), (2, "b")]


def test_the_whole_court_and_its_half_are_never_given_for_the_same_time():
    whole = pure_draw.Choice(slot="whole", spaces=frozenset({1, 2}), start=9, end=12)
    half = pure_draw.Choice(slot="half-a", spaces=frozenset({1}), start=10, end=11)
    other_half = pure_draw.Choice(slot="half-b", spaces=frozenset({2}), start=9, end=12)
    apps = [
        pure_draw.Application(1, "user:1", (whole,)),
        pure_draw.Application(2, "user:2", (half,)),
        pure_draw.Application(3, "user:3", (other_half,)),
    ]
    for seed in range(30):
        won = {x.slot for x in pure_draw.draw(seed=seed, applications=apps, max_wins=1).assignments}
        assert won in ({"whole"}, {"half-a", "half-b"})


def test_a_slot_booked_before_the_draw_is_not_given():
    taken = pure_draw.Choice(slot="t", spaces=frozenset({5}), start=0, end=10)
    free = pure_draw.Choice(slot="f", spaces=frozenset({6}), start=0, end=10)
    result = pure_draw.draw(
        seed=1, applications=[pure_draw.Application(1, "user:1", (taken, free))], occupied=[(5, 3, 4)], max_wins=2
    )
    assert [x.slot for x in result.assignments] == ["f"]


@st.composite
def _draw_inputs(draw):
    slots = draw(
        st.lists(
            st.tuples(
                st.frozensets(st.integers(0, 5), min_size=1, max_size=3),
                st.integers(0, 20),
                st.integers(1, 6),
            ),
            min_size=1,
            max_size=15,
        )
    )
    choices = [pure_draw.Choice(slot=i, spaces=s, start=t, end=t + d) for i, (s, t, d) in enumerate(slots)]
    n = draw(st.integers(0, 25))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    apps = []
    for app_id in ids:
        picks = draw(st.lists(st.sampled_from(choices), max_size=5, unique_by=lambda c: c.slot))
        applicant = f"club:{draw(st.integers(0, 6))}"  # several applications may count against one group
        apps.append(pure_draw.Application(app_id, applicant, tuple(picks)))
    occupied = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 20), st.integers(1, 6)), max_size=5))
    occupied = [(space, t, t + d) for space, t, d in occupied]
    return apps, occupied, draw(st.integers(1, 3)), draw(st.text(max_size=8))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_draw_inputs())
def test_draw_properties(data):
    apps, occupied, max_wins, seed = data
    result = pure_draw.draw(seed=seed, applications=apps, occupied=occupied, max_wins=max_wins)
    by_id = {a.id: a for a in apps}

    # Deterministic, and the order is every application exactly once.
    assert result == pure_draw.draw(seed=seed, applications=apps, occupied=occupied, max_wins=max_wins)
    assert sorted(result.order) == sorted(by_id)

    won: list[pure_draw.Choice] = []
    per_applicant: dict[str, int] = {}
    for x in result.assignments:
        # Every win is one of the winner's own choices, at the rank recorded.
        choice = by_id[x.application_id].choices[x.rank - 1]
        assert choice.slot == x.slot and x.applicant == by_id[x.application_id].applicant
        won.append(choice)
        per_applicant[x.applicant] = per_applicant.get(x.applicant, 0) + 1
    # Nobody over the limit.
    assert all(n <= max_wins for n in per_applicant.values())
    # No slot or space-time given twice (parent/child units share spaces), nothing already booked given.
    for i, a in enumerate(won):
        assert not any(_conflict(a, b) for b in won[i + 1 :])
        assert not any(s in a.spaces and t < a.end and a.start < e for s, t, e in occupied)
    # Nothing is left on the table: a choice not won by an applicant under the limit was taken.
    for app in apps:
        if per_applicant.get(app.applicant, 0) >= max_wins:
            continue
        won_here = {x.rank for x in result.assignments if x.application_id == app.id}
        for rank, choice in enumerate(app.choices, start=1):
            if rank not in won_here:
                blocked_by_occupied = any(
                    s in choice.spaces and t < choice.end and choice.start < e for s, t, e in occupied
                )
                assert blocked_by_occupied or any(_conflict(choice, w) for w in won)


# --- Services -----------------------------------------------------------------------------
@dataclass
class Hall:
    facility: Facility
    arena: Unit
    half_a: Unit
    half_b: Unit
    room: Unit
    groups_room: Unit
    frames: dict[tuple[int, str], TimeFrame] = field(default_factory=dict)

    def frame(self, unit: Unit, key: str = "am") -> TimeFrame:
        return self.frames[(unit.pk, key)]


@pytest.fixture
def hall(db) -> Hall:
    facility = Facility.objects.create(name="みどり町総合体育館", slug="midori-gym", kind=Facility.Kind.SPORTS)
    for weekday in range(7):
        OpeningHours.objects.create(facility=facility, weekday=weekday, opens=time(9), closes=time(21))
    arena = Unit.objects.create(facility=facility, name="アリーナ全面", sort_order=1)
    half_a = Unit.objects.create(facility=facility, parent=arena, name="半面A", sort_order=2)
    half_b = Unit.objects.create(facility=facility, parent=arena, name="半面B", sort_order=3)
    room = Unit.objects.create(facility=facility, name="会議室", sort_order=4)
    groups_room = Unit.objects.create(facility=facility, name="武道場", groups_only=True, sort_order=5)
    h = Hall(facility, arena, half_a, half_b, room, groups_room)
    for unit in (arena, half_a, half_b, room, groups_room):
        h.frames[(unit.pk, "am")] = TimeFrame.objects.create(unit=unit, label="午前", start=time(9), end=time(12))
        h.frames[(unit.pk, "pm")] = TimeFrame.objects.create(unit=unit, label="午後", start=time(13), end=time(17))
    Fee.objects.create(unit=arena, frame=h.frame(arena), resident=True, day_type="weekday", amount=3000)
    Fee.objects.create(unit=arena, frame=h.frame(arena), resident=True, day_type="holiday", amount=4000)
    Fee.objects.create(unit=arena, frame=h.frame(arena), resident=False, day_type="weekday", amount=6000)
    Fee.objects.create(unit=arena, frame=h.frame(arena), resident=False, day_type="holiday", amount=8000)
    return h


def make_round(facility: Facility, *, now: datetime | None = None, **kwargs) -> LotteryRound:
    """A round open now for the month after next."""
    now = now or timezone.now()
    defaults = {
        "month": rules.first_of_month(timezone.localdate(now), -2),
        "opens_at": now - timedelta(days=2),
        "closes_at": now + timedelta(days=1),
    }
    return LotteryRound.objects.create(facility=facility, **{**defaults, **kwargs})


def pick(hall: Hall, round: LotteryRound, unit: Unit, day: int, key: str = "am") -> ChoiceRequest:
    return ChoiceRequest(unit=unit, frame=hall.frame(unit, key), day=round.month + timedelta(days=day - 1))


def resident(**kwargs):
    district = District.objects.get_or_create(code="D100", defaults={"name": "本町1丁目"})[0]
    return UserFactory(district=district, **kwargs)


def after_close(round: LotteryRound) -> datetime:
    return round.closes_at + timedelta(minutes=5)


def result_mails():
    return OutboundMail.objects.filter(category="facilities_lottery_result")


@pytest.mark.django_db
@pytest.mark.sqlite
def test_apply_records_ranked_choices_and_one_application_per_person(hall):
    user = resident()
    round = make_round(hall.facility)
    application = lottery_services.apply(
        user=user,
        round=round,
        choices=[pick(hall, round, hall.arena, 5), pick(hall, round, hall.half_a, 6, "pm")],
    )
    assert [(c.rank, c.unit, c.frame.label) for c in application.choices.all()] == [
        (1, hall.arena, "午前"),
        (2, hall.half_a, "午後"),
    ]
    with translation.override("en"), pytest.raises(LotteryError) as err:
        lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 7)])
    assert err.value.message == "You have already applied to this lottery."
    assert LotteryApplication.objects.count() == 1 and LotteryChoice.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case, expected, code",
    [
        ("not_open_yet", "not taking applications", "not_open"),
        ("closed", "not taking applications", "not_open"),
        ("too_many", "at most 3 slots", "too_many_choices"),
        ("none", "at least one time slot", "no_slot"),
        ("twice", "chosen twice", "duplicate_slot"),
        ("other_facility", "not part of this facility", "wrong_facility"),
        ("foreign_frame", "does not belong to this unit", "wrong_unit"),
        ("other_month", "not in the month of this lottery", "outside_month"),
        ("closed_day", "is closed", "slot_closed"),
        ("already_booked", "already booked", "slot_taken"),
        ("groups_only", "Only registered groups", "groups_only"),
        ("club_not_approved", "not been approved", "club_not_approved"),
        ("not_representative", "representative", "not_representative"),
    ],
)
def test_apply_refuses_bad_input_with_a_clear_message_and_saves_nothing(hall, case, expected, code):
    user = resident()
    now = timezone.now()
    round = make_round(hall.facility, now=now)
    choices = [pick(hall, round, hall.room, 3)]
    club = None
    when = now
    if case == "not_open_yet":
        when = round.opens_at - timedelta(minutes=1)
    elif case == "closed":
        when = round.closes_at
    elif case == "too_many":
        choices = [pick(hall, round, hall.room, d) for d in (3, 4, 5, 6)]
    elif case == "none":
        choices = []
    elif case == "twice":
        choices = [pick(hall, round, hall.room, 3), pick(hall, round, hall.room, 3)]
    elif case == "other_facility":
        other = Facility.objects.create(name="公民館", slug="kominkan", kind=Facility.Kind.COMMUNITY)
        unit = Unit.objects.create(facility=other, name="和室")
        frame = TimeFrame.objects.create(unit=unit, label="午前", start=time(9), end=time(12))
        choices = [ChoiceRequest(unit=unit, frame=frame, day=round.month)]
    elif case == "foreign_frame":
        choices = [ChoiceRequest(unit=hall.room, frame=hall.frame(hall.arena), day=round.month)]
    elif case == "other_month":
        choices = [pick(hall, round, hall.room, 45)]
    elif case == "closed_day":
        Closure.objects.create(
            facility=hall.facility, start_date=round.month, end_date=round.month + timedelta(days=5), reason="点検"
        )
    elif case == "already_booked":
        block(
            unit=hall.room,
            slots=[SlotRequest(hall.frame(hall.room), round.month + timedelta(days=2))],
            reason="工事",
            by=None,
        )
    elif case == "groups_only":
        choices = [pick(hall, round, hall.groups_room, 3)]
    elif case == "club_not_approved":
        club = Club.objects.create(
            name="卓球クラブ", representative=user, member_count=5, resident_member_count=5, purpose="練習"
        )
    elif case == "not_representative":
        club = Club.objects.create(
            name="卓球クラブ",
            representative=resident(),
            member_count=5,
            resident_member_count=5,
            purpose="練習",
            status=Club.Status.APPROVED,
        )
    with translation.override("en"), pytest.raises(LotteryError) as err:
        lottery_services.apply(user=user, round=round, choices=choices, club=club, now=when)
    assert expected in err.value.message
    assert err.value.code == code
    assert not LotteryApplication.objects.exists() and not LotteryChoice.objects.exists()


@pytest.mark.django_db
def test_an_approved_group_applies_for_a_groups_only_unit_once_beside_its_representative(hall):
    user = resident()
    club = Club.objects.create(
        name="剣道会", representative=user, member_count=8, resident_member_count=6, purpose="稽古", status="approved"
    )
    round = make_round(hall.facility)
    lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.groups_room, 3)], club=club)
    lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 3)])  # for themselves
    with translation.override("en"), pytest.raises(LotteryError, match="group has already applied"):
        lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.groups_room, 4)], club=club)
    assert LotteryApplication.objects.filter(round=round).count() == 2


@pytest.mark.django_db
def test_withdraw_while_open_then_apply_again_but_not_after_the_close(hall):
    user = resident()
    round = make_round(hall.facility)
    application = lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 3)])
    lottery_services.withdraw(application=application, user=user)
    application.refresh_from_db()
    assert application.status == LotteryApplication.Status.WITHDRAWN
    again = lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.arena, 9)])
    assert again.status == LotteryApplication.Status.SUBMITTED
    assert [c.unit for c in again.choices.all()] == [hall.arena]
    with pytest.raises(LotteryError):
        lottery_services.withdraw(application=again, user=user, now=round.closes_at)
    with pytest.raises(LotteryError):
        lottery_services.withdraw(application=again, user=resident())
    again.refresh_from_db()
    assert again.status == LotteryApplication.Status.SUBMITTED


@pytest.mark.django_db
@pytest.mark.sqlite
def test_draw_gives_contested_slots_once_creates_awaiting_wins_and_mails_every_applicant(
    hall, django_capture_on_commit_callbacks
):
    round = make_round(hall.facility, max_wins=1, confirm_days=5)
    users = [resident(language="en") for i in range(6)]
    # Everyone wants the whole arena on day 3; some would settle for a half.
    for i, user in enumerate(users):
        choices = [pick(hall, round, hall.arena, 3)]
        if i % 2:
            choices.append(pick(hall, round, hall.half_a if i < 3 else hall.half_b, 3))
        lottery_services.apply(user=user, round=round, choices=choices)
    withdrawn = lottery_services.apply(user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)])
    lottery_services.withdraw(application=withdrawn, user=withdrawn.user)

    now = after_close(round)
    with django_capture_on_commit_callbacks(execute=True):  # the result mails are queued after the commit
        lottery_services.draw(round, now=now)
    round.refresh_from_db()

    assert round.status == LotteryRound.Status.DRAWN and len(round.seed) == 32 and round.drawn_at == now
    assert len(round.draw_order) == 6 and withdrawn.pk not in round.draw_order
    wins = Reservation.objects.filter(source=Reservation.Source.LOTTERY)
    # The arena once, or both halves to two others: never the arena and a half.
    won_units = sorted(r.unit.name for r in wins)
    assert won_units in (["アリーナ全面"], ["半面A", "半面B"])
    assert all(r.status == Reservation.Status.AWAITING for r in wins)
    deadline = rules.local(timezone.localtime(now).date() + timedelta(days=5), time(23, 59))
    assert {r.confirm_by for r in wins} == {deadline}
    assert Occupancy.objects.count() == 2  # the arena's two spaces, or one each
    # The first in the order got their first choice.
    first = LotteryApplication.objects.get(pk=round.draw_order[0])
    assert first.choices.get(rank=1).reservation is not None
    assert first.status == LotteryApplication.Status.WON
    statuses = list(LotteryApplication.objects.exclude(pk=withdrawn.pk).values_list("status", flat=True))
    assert statuses.count("won") == len(wins) and statuses.count("lost") == 6 - len(wins)
    # One mail to every applicant (not the withdrawn one), in their language.
    mails = result_mails()
    assert sorted(m.to_email for m in mails) == sorted(u.email for u in users)
    assert {m.language for m in mails} == {"en"}
    winner_mail = mails.get(recipient=first.user)
    assert "→ Won" in winner_mail.body_text
    # In the English date format (issue 12: not 2026-12-11), 7 Dec 2026 23:59.
    assert f"confirm your win by {deadline.day} {deadline:%b %Y} 23:59" in winner_mail.body_text
    loser = LotteryApplication.objects.filter(status="lost").first()
    loser_mail = mails.get(recipient=loser.user).body_text
    assert "None of your choices was won" in loser_mail and "→ Won" not in loser_mail

    # Drawing again changes nothing and mails nobody twice.
    lottery_services.draw(LotteryRound.objects.get(pk=round.pk), now=now + timedelta(hours=1))
    assert Reservation.objects.count() == len(wins) and result_mails().count() == 6
    assert LotteryRound.objects.get(pk=round.pk).draw_order == round.draw_order


@pytest.mark.django_db
def test_max_wins_is_per_group_and_wins_skip_slots_booked_before_the_draw(hall):
    rep = resident()
    club = Club.objects.create(
        name="バレー部",
        representative=rep,
        member_count=10,
        resident_member_count=10,
        purpose="練習",
        status="approved",
    )
    round = make_round(hall.facility, max_wins=2)
    choices = [pick(hall, round, hall.room, day) for day in (2, 3, 4)]
    lottery_services.apply(user=rep, round=round, choices=choices, club=club)
    # Staff block the first choice between the application and the draw.
    block(unit=hall.room, slots=[SlotRequest(choices[0].frame, choices[0].day)], reason="工事", by=None)
    lottery_services.draw(round, now=after_close(round))
    won = Reservation.objects.filter(source=Reservation.Source.LOTTERY).order_by("date")
    assert [r.date.day for r in won] == [3, 4]
    assert {r.club for r in won} == {club} and {r.user for r in won} == {rep}


@pytest.mark.django_db
def test_draw_refuses_a_round_still_taking_applications(hall):
    round = make_round(hall.facility)
    with pytest.raises(LotteryError):
        lottery_services.draw(round, now=round.closes_at - timedelta(seconds=1))
    round.refresh_from_db()
    assert round.status == LotteryRound.Status.OPEN and round.drawn_at is None and round.published_draw is None
    assert round.commitment == pure_draw.commitment_of(round.seed)  # committed at creation, unchanged


@pytest.mark.django_db
def test_replaying_with_the_recorded_seed_gives_the_recorded_result(hall):
    round = make_round(hall.facility, max_wins=2)
    units = (hall.arena, hall.half_a, hall.half_b)
    for i in range(12):
        choices = [pick(hall, round, unit, 3 + (i + k) % 3) for k, unit in enumerate(units)]
        lottery_services.apply(user=resident(), round=round, choices=choices)
    # Blocked before the draw, unblocked after it: the replay must still see it as taken.
    day5 = round.month + timedelta(days=4)
    booked = block(unit=hall.half_b, slots=[SlotRequest(hall.frame(hall.half_b), day5)], reason="点検", by=None)
    lottery_services.draw(round, now=after_close(round))
    round.refresh_from_db()
    cancel(reservation=booked[0], by=None, reason="点検中止", staff=True, now=after_close(round) + timedelta(days=1))
    check = replay(round)
    assert check.matches and check.replayed_order == round.draw_order

    # Someone tampering with the record is caught.
    win = LotteryChoice.objects.filter(reservation__isnull=False).first()
    loser_choice = LotteryChoice.objects.filter(reservation=None).exclude(application=win.application).first()
    loser_choice.reservation, win.reservation = win.reservation, None
    win.save()
    loser_choice.save()
    tampered = replay(round)
    assert not tampered.matches
    assert set(tampered.differing_applications) == {win.application_id, loser_choice.application_id}


@pytest.mark.django_db
def test_staff_audit_lists_seed_order_and_each_win(hall):
    round = make_round(hall.facility)
    apps = [
        lottery_services.apply(user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)])
        for _ in range(3)
    ]
    lottery_services.draw(round, now=after_close(round))
    round.refresh_from_db()
    audit = round_audit(round)
    assert [row.application_id for row in audit.rows] == round.draw_order
    assert sorted(row.application_id for row in audit.rows) == sorted(a.pk for a in apps)
    assert audit.rows[0].won and not audit.rows[1].won and not audit.rows[2].won
    assert audit.winners == 1 and audit.slots_won == 1 and audit.replay.matches


def _drawn_win(hall, user=None, **round_kwargs) -> tuple[LotteryRound, Reservation]:
    user = user or resident()
    round = make_round(hall.facility, **round_kwargs)
    lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.arena, 10)])
    lottery_services.draw(round, now=after_close(round))
    return round, Reservation.objects.get(source=Reservation.Source.LOTTERY, user=user)


@pytest.mark.django_db
@pytest.mark.sqlite
def test_the_winner_confirms_before_the_deadline_and_gets_the_booking_mail_with_ics(hall):
    user = resident()
    round, win = _drawn_win(hall, user)
    with pytest.raises(LotteryError):
        lottery_services.confirm(reservation=win, user=resident())  # somebody else
    lottery_services.confirm(reservation=win, user=user, now=win.confirm_by - timedelta(minutes=1))
    win.refresh_from_db()
    assert win.status == Reservation.Status.CONFIRMED
    mail = OutboundMail.objects.get(category="facilities_booked", recipient=user)
    ics = Calendar.from_ical(base64.b64decode(mail.attachments[0]["content_b64"]))
    event = next(iter(ics.walk("VEVENT")))
    assert str(event["uid"]).startswith(f"reservation-{win.uid}@")
    assert event.decoded("dtstart") == win.start
    assert win.fee == (4000 if rules.is_holiday(win.date) else 3000)  # the arena's resident fee
    with pytest.raises(LotteryError):
        lottery_services.confirm(reservation=win, user=user)  # twice


@pytest.mark.django_db
def test_a_win_cannot_be_confirmed_after_its_deadline(hall):
    user = resident()
    _round, win = _drawn_win(hall, user)
    with translation.override("en"), pytest.raises(LotteryError, match="deadline"):
        lottery_services.confirm(reservation=win, user=user, now=win.confirm_by + timedelta(minutes=1))
    win.refresh_from_db()
    assert win.status == Reservation.Status.AWAITING
    assert not OutboundMail.objects.filter(category="facilities_booked").exists()


@pytest.mark.django_db
@pytest.mark.sqlite
def test_unconfirmed_wins_expire_and_the_slot_returns_to_first_come_booking(hall):
    round, win = _drawn_win(hall)
    # Before the deadline nothing expires.
    assert lottery_services.expire_unconfirmed(now=win.confirm_by) == 0
    # After the deadline, and once first-come booking for the month has opened.
    later = max(rules.local(rules.first_of_month(round.month, 1), time(10)), win.confirm_by + timedelta(minutes=1))
    assert lottery_services.expire_unconfirmed(now=later) == 1
    assert lottery_services.expire_unconfirmed(now=later) == 0
    win.refresh_from_db()
    assert win.status == Reservation.Status.EXPIRED and not win.occupancies.exists()
    slot = Availability(hall.facility, win.date, win.date, now=later).slot(
        hall.half_a, hall.frame(hall.half_a), win.date
    )
    assert slot.state is SlotState.FREE
    other = resident()
    booked = book(user=other, unit=hall.arena, slots=[SlotRequest(hall.frame(hall.arena), win.date)], now=later)
    assert booked[0].status == Reservation.Status.CONFIRMED


@pytest.mark.django_db
def test_first_come_for_the_month_opens_only_after_the_draw(hall):
    round = make_round(hall.facility)
    day = round.month + timedelta(days=2)
    opened = rules.local(rules.first_of_month(round.month, 1), time(10))
    availability = Availability(hall.facility, day, day, now=opened)
    assert availability.slot(hall.room, hall.frame(hall.room), day).state is SlotState.NOT_YET
    lottery_services.draw(round, now=after_close(round))
    availability = Availability(hall.facility, day, day, now=opened)
    assert availability.slot(hall.room, hall.frame(hall.room), day).state is SlotState.FREE


# --- Scheduled tasks ----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_draw_task_draws_closed_rounds_once_and_leaves_open_ones(hall, django_capture_on_commit_callbacks):
    now = timezone.now()
    closed = make_round(hall.facility, now=now - timedelta(days=2), closes_at=now - timedelta(minutes=1))
    other = Facility.objects.create(name="公民館", slug="kominkan", kind=Facility.Kind.COMMUNITY)
    still_open = make_round(other, now=now)
    for _ in range(3):
        lottery_services.apply(
            user=resident(), round=closed, choices=[pick(hall, closed, hall.room, 3)], now=now - timedelta(hours=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.draw_due_lotteries.delay()  # through Celery (in-process in the tests)
    assert tasks.draw_due_lotteries() == 0
    assert tasks.draw_lottery(closed.pk) is True  # asking again about a drawn round: still drawn, nothing new
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.status == LotteryRound.Status.DRAWN and still_open.status == LotteryRound.Status.OPEN
    assert Reservation.objects.filter(source=Reservation.Source.LOTTERY).count() == 1
    assert result_mails().count() == 3


@pytest.mark.django_db
@pytest.mark.sqlite
def test_result_mails_lost_after_the_draw_are_caught_up_by_the_next_run_once(hall, django_capture_on_commit_callbacks):
    round = make_round(hall.facility)
    for _ in range(5):
        lottery_services.apply(user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the broker lost the mail task
        lottery_services.draw(round, now=after_close(round))
    assert len(callbacks) == 1 and not result_mails().exists()
    LotteryRound.objects.filter(pk=round.pk).update(drawn_at=timezone.now() - timedelta(minutes=10))
    tasks.draw_due_lotteries()
    assert result_mails().count() == 5
    assert tasks.mail_lottery_results(round.pk) == 0
    tasks.draw_due_lotteries()
    assert result_mails().count() == 5


@pytest.mark.django_db
def test_the_expiry_task_expires_wins_past_their_deadline(hall):
    now = timezone.now()
    closes = now - timedelta(days=8)
    round = make_round(hall.facility, now=closes - timedelta(days=1), closes_at=closes, confirm_days=1)
    lottery_services.apply(
        user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)], now=closes - timedelta(hours=1)
    )
    lottery_services.draw(round, now=closes + timedelta(minutes=5))  # the deadline was a week ago
    tasks.expire_unconfirmed_wins.delay()
    assert Reservation.objects.get().status == Reservation.Status.EXPIRED
    assert tasks.expire_unconfirmed_wins() == 0


@pytest.mark.django_db
@pytest.mark.sqlite
def test_the_reminder_goes_once_on_the_day_before_from_eight(hall):
    user = resident(language="en")
    today = date(2031, 6, 9)
    day_before_9am = rules.local(today, time(9))
    booked = book(
        user=user,
        unit=hall.room,
        slots=[SlotRequest(hall.frame(hall.room, "pm"), today + timedelta(days=1))],
        enforce_rules=False,
        now=day_before_9am - timedelta(days=3),
    )[0]
    Reservation.objects.filter(pk=booked.pk).update(created_at=day_before_9am - timedelta(days=3))
    made_today = book(
        user=resident(),
        unit=hall.room,
        slots=[SlotRequest(hall.frame(hall.room), today + timedelta(days=1))],
        enforce_rules=False,
        now=day_before_9am - timedelta(hours=1),
    )[0]
    Reservation.objects.filter(pk=made_today.pk).update(created_at=day_before_9am - timedelta(hours=1))

    assert reminders.send_reminders(now=rules.local(today, time(7, 30))) == 0  # not at night
    assert reminders.send_reminders(now=rules.local(today - timedelta(days=1), time(9))) == 0  # two days before
    assert reminders.send_reminders(now=day_before_9am) == 1
    assert reminders.send_reminders(now=day_before_9am + timedelta(hours=1)) == 0
    mail = OutboundMail.objects.get(category="facilities_reminder")
    assert mail.to_email == user.email
    assert "reminder of your booking tomorrow" in mail.body_text and "13:00" in mail.body_text
    booked.refresh_from_db()
    assert booked.reminder_sent_at == day_before_9am
    assert not OutboundMail.objects.filter(category="facilities_reminder", recipient=made_today.user).exists()


@pytest.mark.django_db
def test_cancelled_bookings_get_no_reminder(hall):
    today = date(2031, 6, 9)
    booked = book(
        user=resident(),
        unit=hall.room,
        slots=[SlotRequest(hall.frame(hall.room), today + timedelta(days=1))],
        enforce_rules=False,
        now=rules.local(today - timedelta(days=5)),
    )[0]
    Reservation.objects.filter(pk=booked.pk).update(created_at=rules.local(today - timedelta(days=5)))
    assert reminders.due_reminders(now=rules.local(today, time(9))).count() == 1
    cancel(reservation=booked, by=booked.user, staff=True, reason="雨天")
    assert reminders.send_reminders(now=rules.local(today, time(9))) == 0
    assert not OutboundMail.objects.filter(category="facilities_reminder").exists()


# --- Resident pages -----------------------------------------------------------------------
def _form_data(round: LotteryRound, *choices: tuple[Unit, int, str]) -> dict[str, str]:
    data = {}
    for n, (unit, day, start) in enumerate(choices, start=1):
        data[f"unit_{n}"] = str(unit.pk)
        data[f"date_{n}"] = (round.month + timedelta(days=day - 1)).isoformat()
        data[f"time_{n}"] = start
    return data


@pytest.mark.django_db
def test_a_resident_applies_with_ranked_choices_on_the_form(client, home, hall):
    user = resident(language="en")
    round = make_round(hall.facility)
    assert client.get(reverse("facilities:lottery_apply", args=[round.pk])).status_code == 302  # sign in first
    client.force_login(user)
    listing = client.get(reverse("facilities:lottery_rounds"), HTTP_ACCEPT_LANGUAGE="en")
    assert hall.facility.name in listing.content.decode()

    page = client.get(reverse("facilities:lottery_apply", args=[round.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and html.count("<fieldset") == round.max_choices
    assert "午前 09:00–12:00" in html and "アリーナ全面" in html

    response = client.post(
        reverse("facilities:lottery_apply", args=[round.pk]),
        _form_data(round, (hall.half_a, 5, "13:00"), (hall.arena, 5, "09:00")),
    )
    application = LotteryApplication.objects.get(user=user)
    assert response.status_code == 302 and response.url == reverse(
        "facilities:lottery_application", args=[application.pk]
    )
    assert [(c.rank, c.unit, c.frame.label) for c in application.choices.all()] == [
        (1, hall.half_a, "午後"),
        (2, hall.arena, "午前"),
    ]
    detail = client.get(response.url).content.decode()
    assert "半面A" in detail and "Withdraw the application" in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"unit_2": "UNIT", "date_2": "", "time_2": ""}, "Choose a unit, a date and a time, or leave all three empty."),
        ({"unit_1": "999999"}, "Select a valid choice."),
        # A groups-only unit is not offered to someone with no group (issue 12), so it is no choice.
        ({"unit_1": "GROUPS"}, "Select a valid choice."),
    ],
)
def test_a_bad_application_form_shows_why_and_saves_nothing(client, home, hall, data, message):
    user = resident(language="en")
    round = make_round(hall.facility)
    client.force_login(user)
    units = {"UNIT": str(hall.room.pk), "GROUPS": str(hall.groups_room.pk)}
    form = {**_form_data(round, (hall.room, 3, "09:00")), **{k: units.get(v, v) for k, v in data.items()}}
    response = client.post(reverse("facilities:lottery_apply", args=[round.pk]), form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LotteryApplication.objects.exists()


@pytest.mark.django_db
def test_another_residents_application_and_win_are_not_found(client, home, hall):
    owner = resident()
    round, win = _drawn_win(hall, owner)
    application = win.lottery_choice.application
    client.force_login(resident())
    assert client.get(reverse("facilities:lottery_application", args=[application.pk])).status_code == 404
    assert client.post(reverse("facilities:lottery_withdraw", args=[application.pk])).status_code == 404
    assert client.post(reverse("facilities:lottery_confirm", args=[win.pk])).status_code == 404
    assert "みどり町総合体育館" not in client.get(reverse("facilities:lottery_mine")).content.decode()
    win.refresh_from_db()
    assert win.status == Reservation.Status.AWAITING


@pytest.mark.django_db
def test_the_winner_sees_the_result_and_confirms_with_the_button(client, home, hall):
    user = resident(language="en")
    round = make_round(hall.facility)
    mine = lottery_services.apply(
        user=user, round=round, choices=[pick(hall, round, hall.room, 3), pick(hall, round, hall.arena, 4)]
    )
    rival = lottery_services.apply(user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)])
    # An application number that puts the rival first under the committed seed: the resident
    # loses their first choice and wins the second.
    rival.number = next(
        n
        for n in range(100_000, 101_000)
        if n != mine.number and pure_draw.draw_order(round.seed, [mine.number, n])[0] == n
    )
    rival.save(update_fields=["number"])
    lottery_services.draw(round, now=timezone.now() + timedelta(days=1, minutes=5))
    client.force_login(user)
    page = client.get(reverse("facilities:lottery_mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not won" in page and "Confirm this booking" in page
    win = Reservation.objects.get(user=user)
    assert win.unit == hall.arena
    response = client.post(reverse("facilities:lottery_confirm", args=[win.pk]))
    assert response.status_code == 302
    win.refresh_from_db()
    assert win.status == Reservation.Status.CONFIRMED
    page = client.get(response.url).content.decode()
    assert "Confirm this booking" not in page and "See the booking" in page


@pytest.mark.django_db
def test_a_resident_withdraws_with_the_button_while_the_lottery_is_open(client, home, hall):
    user = resident()
    round = make_round(hall.facility)
    application = lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 3)])
    client.force_login(user)
    response = client.post(reverse("facilities:lottery_withdraw", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == LotteryApplication.Status.WITHDRAWN


# --- Staff audit --------------------------------------------------------------------------
@pytest.mark.django_db
def test_facility_staff_see_the_seed_order_and_wins_and_the_view_is_logged(client, settings, hall):
    from django.contrib.auth.models import Group

    from portal.models import AccessLog
    from portal.staff import FACILITIES, WEB

    settings.PORTAL_STAFF_MFA_REQUIRED = False
    round = make_round(hall.facility)
    apps = [
        lottery_services.apply(user=resident(), round=round, choices=[pick(hall, round, hall.room, 3)]) for _ in "ab"
    ]
    lottery_services.draw(round, now=after_close(round))
    round.refresh_from_db()
    url = reverse("facilities_lottery_audit", args=[round.pk])

    outsider = UserFactory(is_staff=True)
    outsider.groups.add(Group.objects.get(name=WEB))
    client.force_login(outsider)
    assert client.get(url).status_code == 302  # Wagtail's permission-denied redirect

    staff = UserFactory(is_staff=True, language="en")  # the admin follows the staff member's own language
    staff.groups.add(Group.objects.get(name=FACILITIES))
    client.force_login(staff)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert round.seed in html
    first, second = round.draw_order
    assert html.index(f"#{first}") < html.index(f"#{second}")
    assert "Re-run the draw" in html
    replayed = client.get(url + "?replay=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "gives the same order and the same wins" in replayed
    assert (
        AccessLog.objects.filter(staff=staff, object_type="facilities.LotteryRound", object_id=str(round.pk)).count()
        == 2
    )
    assert {a.pk for a in apps} == set(round.draw_order)
