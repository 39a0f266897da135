"""Booking rules of facilities (services.book, quote, can_cancel, cancel), each with the clock fixed.

The gym (tests.facilities.factories.gym): アリーナ全面 made of 半面A and 半面B, open 9:00–21:00 every
day, frames 午前 9–12, 午後 13–17, 夜間 18–21, default rules: first-come booking from 9:00 on the
1st of the month before, closes the day before, 4 upcoming reservations and 2 slots a day per
person or group, online cancellation until 3 days before.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from facilities import rules, services
from facilities.errors import BookingError, LotteryError
from facilities.models import Closure, Club, Occupancy, Reservation
from facilities.selectors import Availability, SlotState
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from portal.errors import ServiceError
from tests.facilities.factories import ClubFactory, gym
from tests.portal.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
DAY = date(2026, 11, 10)  # a Tuesday
NOW = datetime(2026, 10, 15, 10, 0, tzinfo=TZ)  # first-come booking for November is open


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _english():
    """Refusals in English, whatever the Japanese catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def resident():
    return UserFactory(district=DistrictFactory())


@pytest.fixture
def outsider():
    return UserFactory(district=None)


def book(g, user, unit, *labels, day=DAY, now=NOW, club=None):
    slots = [SlotRequest(g.frame(unit, label), day) for label in labels or ("午前",)]
    return services.book(user=user, unit=unit, slots=slots, club=club, now=now)


def refusal(g, user, unit, *labels, **kwargs) -> str:
    with pytest.raises(BookingError) as excinfo:
        book(g, user, unit, *labels, **kwargs)
    return excinfo.value.message


# --- The booking window ------------------------------------------------------------------


def test_window_opens_at_nine_on_the_first_of_the_month_before(g, resident):
    assert rules.window_opens(g.facility, DAY) == at(2026, 10, 1, 9, 0)
    assert "has not opened yet" in refusal(g, resident, g.half_a, now=at(2026, 9, 30, 23, 0))
    assert "has not opened yet" in refusal(g, resident, g.half_a, now=at(2026, 10, 1, 8, 59))
    assert not Reservation.objects.exists()

    [reservation] = book(g, resident, g.half_a, now=at(2026, 10, 1, 9, 0))
    assert reservation.status == Reservation.Status.CONFIRMED
    assert reservation.start == at(2026, 11, 10, 9, 0)


def test_window_closes_at_midnight_before_the_day_of_use(g, resident):
    assert "can no longer be booked" in refusal(g, resident, g.half_a, now=at(2026, 11, 10, 0, 0))
    assert book(g, resident, g.half_a, now=at(2026, 11, 9, 23, 59))


def test_with_no_closing_days_booking_is_open_until_the_slot_starts(resident):
    g = gym(booking_closes_days_before=0)
    assert book(g, resident, g.half_a, now=at(2026, 11, 10, 8, 59))
    assert "can no longer be booked" in refusal(g, resident, g.half_b, now=at(2026, 11, 10, 9, 0))


def test_a_past_slot_is_refused(g, resident):
    message = refusal(g, resident, g.half_a, day=date(2026, 10, 14))
    assert message == "Wed 14 Oct 2026 午前 09:00–12:00 can no longer be booked."  # the English date format
    assert not Reservation.objects.exists()


# --- Limits ------------------------------------------------------------------------------


def test_a_person_holds_at_most_four_upcoming_reservations(g, resident):
    for day in (10, 11, 12, 13):
        book(g, resident, g.half_a, day=date(2026, 11, day))
    assert "at most 4 upcoming reservations" in refusal(g, resident, g.half_a, day=date(2026, 11, 14))
    # Someone else is not limited by it.
    assert book(g, UserFactory(), g.half_a, day=date(2026, 11, 14))


def test_past_and_cancelled_reservations_do_not_count_against_the_limit(g, resident):
    book(g, resident, g.half_a, day=date(2026, 10, 20))
    for day in (10, 11):
        book(g, resident, g.half_a, day=date(2026, 11, day))
    [cancelled] = book(g, resident, g.half_b, day=date(2026, 11, 12))
    assert "at most 4" in refusal(g, resident, g.half_a, day=date(2026, 11, 13))

    services.cancel(reservation=cancelled, by=resident, now=NOW)
    assert book(g, resident, g.half_a, day=date(2026, 11, 13))
    assert "at most 4" in refusal(g, resident, g.half_a, day=date(2026, 11, 14))
    # Once 20 October has passed, that booking no longer counts.
    assert book(g, resident, g.half_a, day=date(2026, 11, 14), now=at(2026, 10, 21, 10, 0))


def test_at_most_two_slots_a_day_in_one_request_or_several(g, resident):
    assert "at most 2 slots on one day" in refusal(g, resident, g.half_a, "午前", "午後", "夜間")
    assert not Reservation.objects.exists()
    book(g, resident, g.half_a, "午前", "午後")
    assert "at most 2 slots on one day" in refusal(g, resident, g.half_b, "夜間")
    assert book(g, resident, g.half_b, "夜間", day=date(2026, 11, 11))


def test_a_group_has_its_own_limit_apart_from_its_representative(g, resident):
    club = ClubFactory(representative=resident)
    for day in (10, 11, 12, 13):
        book(g, resident, g.half_a, day=date(2026, 11, day), club=club)
    assert "at most 4 upcoming reservations" in refusal(g, resident, g.half_a, day=date(2026, 11, 14), club=club)
    # The representative's own bookings are counted apart.
    assert book(g, resident, g.half_b, day=date(2026, 11, 14))


def test_the_group_limit_per_day(g, resident):
    club = ClubFactory(representative=resident)
    book(g, resident, g.half_a, "午前", "午後", club=club)
    assert "at most 2 slots on one day" in refusal(g, resident, g.half_b, "夜間", club=club)


# --- Fees --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, resident_fee, other_fee",
    [
        (date(2026, 11, 24), 1000, 2000),  # Tuesday
        (date(2026, 11, 21), 1500, 3000),  # Saturday
        (date(2026, 11, 22), 1500, 3000),  # Sunday
        (date(2026, 11, 23), 1500, 3000),  # Monday, 勤労感謝の日
        (date(2027, 1, 11), 1500, 3000),  # Monday, 成人の日
        (date(2027, 1, 12), 1000, 2000),  # Tuesday after it
    ],
)
def test_fee_by_kind_of_day_and_residence(g, resident, outsider, day, resident_fee, other_fee):
    now = at(2026, 12, 5, 10, 0) if day.year == 2027 else NOW
    [mine] = book(g, resident, g.half_a, day=day, now=now)
    [theirs] = book(g, outsider, g.half_b, day=day, now=now)
    assert (mine.fee, mine.resident_rate) == (resident_fee, True)
    assert (theirs.fee, theirs.resident_rate) == (other_fee, False)


def test_quote_adds_up_the_slots_before_booking(g, resident, outsider):
    slots = [SlotRequest(g.frame(g.arena, "午前"), DAY), SlotRequest(g.frame(g.arena, "午後"), date(2026, 11, 23))]
    assert services.quote(g.arena, slots, user=resident) == 2000 + 3000
    assert services.quote(g.arena, slots, user=outsider) == 4000 + 6000
    assert not Reservation.objects.exists()


def test_a_group_pays_the_resident_fee_when_half_its_members_live_in_town(g, outsider):
    half = ClubFactory(representative=outsider, member_count=10, resident_member_count=5)
    few = ClubFactory(representative=outsider, member_count=10, resident_member_count=4)
    assert book(g, outsider, g.half_a, club=half)[0].fee == 1000
    assert book(g, outsider, g.half_b, club=few)[0].fee == 2000


# --- Units inside units ------------------------------------------------------------------


def test_booking_the_whole_arena_blocks_both_halves(g, resident):
    book(g, resident, g.arena)
    other = UserFactory()
    assert refusal(g, other, g.half_a) == "Tue 10 Nov 2026 午前 09:00–12:00 has just been booked by someone else."
    assert "booked by someone else" in refusal(g, other, g.half_b)
    assert book(g, other, g.half_a, "午後")  # another time is free


def test_booking_a_half_blocks_the_whole_arena(g, resident):
    book(g, resident, g.half_b)
    assert "booked by someone else" in refusal(g, UserFactory(), g.arena)
    assert Reservation.objects.count() == 1


def test_the_two_halves_are_booked_independently(g, resident):
    book(g, resident, g.half_a)
    assert book(g, UserFactory(), g.half_b)
    slots = Availability(g.facility, DAY, DAY, now=NOW)
    assert slots.slot(g.arena, g.frame(g.arena), DAY).state is SlotState.TAKEN


# --- Closed days -------------------------------------------------------------------------


def test_a_facility_closure_refuses_every_unit(g, resident):
    Closure.objects.create(facility=g.facility, start_date=date(2026, 11, 9), end_date=DAY, reason="点検")
    assert refusal(g, resident, g.half_a) == "The facility is closed at Tue 10 Nov 2026 午前 09:00–12:00."
    assert "closed" in refusal(g, resident, g.arena)
    assert book(g, resident, g.half_a, day=date(2026, 11, 11))


def test_closing_a_half_closes_the_arena_but_not_the_other_half(g, resident):
    Closure.objects.create(facility=g.facility, unit=g.half_a, start_date=DAY, end_date=DAY, reason="床の補修")
    assert "closed" in refusal(g, resident, g.half_a)
    assert "closed" in refusal(g, resident, g.arena)
    assert book(g, resident, g.half_b)


def test_closing_the_arena_closes_both_halves(g, resident):
    Closure.objects.create(facility=g.facility, unit=g.arena, start_date=DAY, end_date=DAY, reason="大会")
    assert "closed" in refusal(g, resident, g.half_a)
    assert "closed" in refusal(g, resident, g.half_b)


def test_closed_weekdays_and_holidays(resident):
    g = gym(open_days=[0, 2, 3, 4, 5, 6], closed_on_holidays=True)  # 休館日: Tuesdays
    assert "closed" in refusal(g, resident, g.half_a, day=DAY)
    assert "closed" in refusal(g, resident, g.half_a, day=date(2026, 11, 23))  # 勤労感謝の日
    assert book(g, resident, g.half_a, day=date(2026, 11, 25))  # an ordinary Wednesday


# --- Groups only -------------------------------------------------------------------------


def test_a_unit_for_groups_only_needs_an_approved_group_of_ones_own(g, resident):
    g.half_a.groups_only = True
    g.half_a.save()
    assert refusal(g, resident, g.half_a) == "Only registered groups can book 半面A."
    pending = ClubFactory(representative=resident, status=Club.Status.PENDING)
    assert "not been approved" in refusal(g, resident, g.half_a, club=pending)
    someone_elses = ClubFactory()
    assert "Only the group's representative" in refusal(g, resident, g.half_a, club=someone_elses)
    assert not Reservation.objects.exists()

    [reservation] = book(g, resident, g.half_a, club=ClubFactory(representative=resident))
    assert reservation.club.representative == resident


# --- Races and all-or-nothing ------------------------------------------------------------


@pytest.mark.sqlite
def test_a_slot_taken_meanwhile_is_refused_to_the_second_resident(g, resident):
    other = UserFactory()
    slots = [SlotRequest(g.frame(g.half_a), DAY)]
    # Both saw the slot free on the confirmation page ...
    services.check_booking(user=resident, unit=g.half_a, slots=slots, now=NOW)
    services.check_booking(user=other, unit=g.half_a, slots=slots, now=NOW)
    # ... the first to press "Book" gets it.
    book(g, resident, g.half_a)
    assert refusal(g, other, g.half_a) == "Tue 10 Nov 2026 午前 09:00–12:00 has just been booked by someone else."
    assert list(Reservation.objects.values_list("user", flat=True)) == [resident.pk]


@pytest.mark.sqlite
def test_the_database_refuses_a_double_booking_the_checks_missed(g, resident, monkeypatch):
    """Two requests that both passed the checks: the occupancy constraint lets only one through."""
    book(g, resident, g.arena)
    monkeypatch.setattr(services, "_check_slots", lambda *args, **kwargs: None)
    monkeypatch.setattr(services, "is_held", lambda *args: False)
    assert "booked by someone else" in refusal(g, UserFactory(), g.half_b)
    assert Reservation.objects.count() == 1
    assert Occupancy.objects.count() == 2  # the arena's two spaces, nothing more


def test_a_partial_overlap_is_refused_by_postgresql(g, resident, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    from facilities.models import TimeFrame

    book(g, resident, g.half_a)  # 9:00-12:00
    late_morning = TimeFrame.objects.create(unit=g.half_a, label="10-11", start=time(10), end=time(11))
    monkeypatch.setattr(services, "_check_slots", lambda *args, **kwargs: None)
    monkeypatch.setattr(services, "is_held", lambda *args: False)
    with pytest.raises(BookingError):
        services.book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(late_morning, DAY)], now=NOW)
    assert Reservation.objects.count() == 1


@pytest.mark.sqlite
def test_a_refused_booking_saves_nothing(g, resident):
    book(g, UserFactory(), g.half_a, "午後")
    mails_before = OutboundMail.objects.count()
    # 午前 is free, 午後 is taken: the whole request is refused.
    assert "午後 13:00–17:00 has just been booked" in refusal(g, resident, g.arena, "午前", "午後")
    assert not Reservation.objects.filter(user=resident).exists()
    assert Occupancy.objects.count() == 1
    assert OutboundMail.objects.count() == mails_before


def test_a_booking_queues_one_confirmation_mail_with_a_calendar_file(g, resident):
    book(g, resident, g.half_a, "午前", "午後")
    [mail] = OutboundMail.objects.filter(to_email=resident.email)
    assert [a["filename"] for a in mail.attachments] == ["reservation.ics"]


# --- Stable codes ------------------------------------------------------------------------


def test_a_refusal_is_a_service_error_with_a_stable_code(g, resident):
    assert issubclass(BookingError, ServiceError) and issubclass(LotteryError, ServiceError)
    assert not issubclass(LotteryError, BookingError)
    book(g, resident, g.arena)
    with pytest.raises(BookingError) as taken:
        book(g, UserFactory(), g.half_a)
    assert taken.value.code == "slot_taken"
    Closure.objects.create(facility=g.facility, start_date=DAY, end_date=DAY, reason="点検")
    with pytest.raises(BookingError) as closed:
        book(g, UserFactory(), g.half_b, "夜間")
    assert closed.value.code == "slot_closed"


def test_a_maintenance_block_skips_closed_days_and_is_refused_when_every_day_is_closed():
    g = gym(closed_on_holidays=False)
    first = timezone.localdate() + timedelta(days=20)
    Closure.objects.create(facility=g.facility, start_date=first, end_date=first, reason="点検")
    frame = g.frame(g.half_a)
    days = [first, first + timedelta(days=1)]
    blocked = services.block(unit=g.half_a, slots=[SlotRequest(frame, d) for d in days], reason="床の補修", by=None)
    assert [(r.date, r.fee) for r in blocked] == [(days[1], 0)]
    with pytest.raises(BookingError) as nothing:
        services.block(unit=g.half_a, slots=[SlotRequest(frame, first)], reason="床の補修", by=None)
    assert nothing.value.code == "nothing_to_block"
    assert nothing.value.message == "The facility is closed on every chosen day; there is nothing to block."


# --- Cancelling --------------------------------------------------------------------------


def test_residents_cancel_online_until_three_days_before(g, resident):
    [reservation] = book(g, resident, g.half_a)
    assert services.can_cancel(reservation, now=at(2026, 11, 7, 23, 59))
    assert not services.can_cancel(reservation, now=at(2026, 11, 8, 0, 0))
    with pytest.raises(BookingError, match="deadline for cancelling online has passed"):
        services.cancel(reservation=reservation, by=resident, now=at(2026, 11, 8, 0, 0))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CONFIRMED

    # Staff still can, with a reason.
    services.cancel(reservation=reservation, by=UserFactory(), staff=True, reason="雨漏り", now=at(2026, 11, 9, 9, 0))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED


@pytest.mark.sqlite
def test_cancelling_frees_the_slot_at_once(g, resident):
    [reservation] = book(g, resident, g.arena)
    services.cancel(reservation=reservation, by=resident, now=NOW)
    assert not Occupancy.objects.exists()
    assert book(g, UserFactory(), g.half_a)
    with pytest.raises(BookingError, match="already cancelled"):
        services.cancel(reservation=reservation, by=resident, now=NOW)
