"""Usage records and penalties as staff and residents meet them (issue 16, point 3).

Staff mark a booking used or not shown from its start (not before), one by one or ticked together
on the day page; a resident's late cancellation is recorded by itself; points reach a threshold and
suspend the resident or group (a mail in their language); a suspended holder cannot book or apply
to a lottery; staff lift a suspension with a reason, and the lift is in the staff access log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from facilities import services
from facilities.errors import BookingError, LotteryError
from facilities.lottery import services as lottery_services
from facilities.models import Reservation, Suspension, UsageRecord
from facilities.penalties import services as penalties
from facilities.penalties.services import PenaltyError
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from portal.models import AccessLog
from portal.staff import FACILITIES
from tests.facilities.factories import ClubFactory, gym
from tests.facilities.test_lottery import make_round
from tests.portal.factories import DistrictFactory, UserFactory
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def g():
    return gym(cancel_days_before=1)


@pytest.fixture
def resident():
    return UserFactory(district=DistrictFactory(), family_name="山田", given_name="花子")


def held(g, user, day, label="午前", unit=None, club=None) -> Reservation:
    """A confirmed booking on ``day`` (booked a month before, so past days work too)."""
    unit = unit or g.half_a
    frame = g.frame(unit, label)
    booked_at = timezone.make_aware(datetime.combine(day - timedelta(days=30), frame.start))
    return services.book(
        user=user,
        club=club,
        unit=unit,
        slots=[SlotRequest(frame, day)],
        enforce_rules=False,
        notify=False,
        now=booked_at,
    )[0]


def start_of(reservation) -> datetime:
    return reservation.start


def no_show(reservation, staff=None, after=timedelta(hours=1)):
    return penalties.mark_usage(reservation=reservation, outcome="no_show", by=staff, now=reservation.start + after)


# --- Marking ---------------------------------------------------------------------------
def test_marking_before_the_slot_starts_is_refused_in_japanese_and_nothing_is_written(g, resident):
    reservation = held(g, resident, timezone.localdate() + timedelta(days=2))
    with translation.override("ja"), pytest.raises(PenaltyError) as err:
        penalties.mark_usage(
            reservation=reservation, outcome="no_show", by=None, now=reservation.start - timedelta(minutes=1)
        )
    assert err.value.code == "too_early"
    assert "まだ始まっていません" in err.value.message
    assert not UsageRecord.objects.exists()
    # At the start it is allowed; a used booking costs nothing.
    record = penalties.mark_usage(reservation=reservation, outcome="used", by=None, now=reservation.start)
    assert (record.outcome, record.points) == ("used", Decimal(0))


def test_a_no_show_costs_a_point_and_marking_again_corrects_it(g, resident):
    reservation = held(g, resident, timezone.localdate() - timedelta(days=1))
    assert no_show(reservation).points == Decimal(1)
    record = penalties.mark_usage(reservation=reservation, outcome="used", by=None, now=timezone.now())
    assert record.points == 0 and UsageRecord.objects.count() == 1


def test_staff_mark_one_and_in_bulk_from_the_day_page_and_a_future_slot_refuses_the_whole_batch(client, g, resident):
    staff = mfa_staff(client, FACILITIES)
    today = timezone.localdate()
    past = today - timedelta(days=1)
    a = held(g, resident, past, "午前")
    b = held(g, UserFactory(), past, "午後")
    c = held(g, UserFactory(), past, "夜間")
    url = "/admin/facilities/usage/"
    query = {"facility": g.facility.pk, "day": past.isoformat()}
    page = client.get(url, query).content.decode()
    assert "山田" in page and f'value="{a.pk}:no_show"' in page
    assert AccessLog.objects.filter(staff=staff, object_type="facilities.UsageRecord").exists()

    response = client.post(url, {**query, "mark": f"{c.pk}:used"})
    assert response.status_code == 302
    response = client.post(url, {**query, "reservation": [a.pk, b.pk], "bulk": "no_show"})
    assert response.status_code == 302
    outcomes = dict(UsageRecord.objects.values_list("reservation_id", "outcome"))
    assert outcomes == {a.pk: "no_show", b.pk: "no_show", c.pk: "used"}
    assert UsageRecord.objects.get(reservation=a).recorded_by == staff

    # A batch with a slot that has not started is refused as a whole, with the reason shown.
    future = held(g, resident, today + timedelta(days=3))
    response = client.post(
        url,
        {"facility": g.facility.pk, "day": future.date.isoformat(), "reservation": [future.pk], "bulk": "no_show"},
    )
    assert response.status_code == 400
    assert "まだ始まっていません" in response.content.decode()
    assert not UsageRecord.objects.filter(reservation=future).exists()


# --- Late cancellation -------------------------------------------------------------------
def test_a_residents_late_cancellation_is_recorded_by_itself_but_not_an_early_one_or_staffs(g, resident, settings):
    settings.FACILITIES_LATE_CANCEL_DAYS = 7
    today = timezone.localdate()
    late = held(g, resident, today + timedelta(days=3))
    early = held(g, resident, today + timedelta(days=10))
    by_staff = held(g, resident, today + timedelta(days=3), "午後")
    services.cancel(reservation=late, by=resident)
    services.cancel(reservation=early, by=resident)
    services.cancel(reservation=by_staff, by=UserFactory(is_staff=True), reason="設備点検", staff=True)
    [record] = UsageRecord.objects.all()
    assert (record.reservation_id, record.outcome, record.points, record.user) == (
        late.pk,
        "late_cancel",
        Decimal("0.5"),
        resident,
    )


# --- Thresholds and suspension -------------------------------------------------------------
def test_two_points_suspend_for_six_months_with_a_mail_in_the_residents_language(g, settings):
    settings.FACILITIES_SUSPENSION_RULES = "2/365/6"
    english = UserFactory(district=DistrictFactory(), language="en")
    today = timezone.localdate()
    no_show(held(g, english, today - timedelta(days=40)))
    assert not Suspension.objects.exists()
    second = held(g, english, today - timedelta(days=1), "午後")
    no_show(second, after=timedelta(days=1))  # marked today
    [suspension] = Suspension.objects.all()
    assert suspension.user == english and suspension.starts_on == today
    assert suspension.points == Decimal(2) and suspension.rule == "2/365/6"
    assert UsageRecord.objects.filter(suspension=suspension).count() == 2
    [mail] = OutboundMail.objects.filter(category="facilities_suspended")
    assert mail.to_email == english.email and mail.language == "en"
    assert "You have 2 penalty points" in mail.body_text
    # The points were used by this suspension: one more point does not start another.
    no_show(held(g, english, today - timedelta(days=2), "夜間"), after=timedelta(days=2))
    assert Suspension.objects.count() == 1


def test_fujimino_three_points_within_thirty_days_across_a_month_boundary(g, resident, settings):
    settings.FACILITIES_SUSPENSION_RULES = "3/30/2"
    today = timezone.localdate()
    for days_ago, label in ((20, "午前"), (12, "午後"), (1, "夜間")):
        no_show(held(g, resident, today - timedelta(days=days_ago), label), after=timedelta(days=days_ago))
    [suspension] = Suspension.objects.all()
    assert suspension.ends_on >= today + timedelta(days=58)
    [mail] = OutboundMail.objects.filter(category="facilities_suspended")
    assert mail.language == "ja" and "予約" in mail.subject


def suspend(user=None, club=None, days=60) -> Suspension:
    today = timezone.localdate()
    return Suspension.objects.create(
        user=user, club=club, starts_on=today, ends_on=today + timedelta(days=days), points=2, rule="2/365/6"
    )


def test_a_suspended_resident_cannot_book_even_for_their_group_and_is_told_until_when(g, resident):
    suspension = suspend(user=resident)
    day = timezone.localdate() + timedelta(days=5)
    club = ClubFactory(representative=resident)
    for kwargs in ({}, {"club": club}):
        with translation.override("ja"), pytest.raises(BookingError) as err:
            services.book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)], **kwargs)
        assert err.value.code == "suspended"
        assert f"{suspension.ends_on.year}年{suspension.ends_on.month}月{suspension.ends_on.day}日" in err.value.message
    assert not Reservation.objects.exists()
    # Lifted: booking works again.
    penalties.lift(suspension=suspension, by=None, reason="誤って記録されたため")
    services.book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])


def test_nobody_can_book_for_a_suspended_group(g):
    club = ClubFactory()
    suspend(club=club)
    day = timezone.localdate() + timedelta(days=5)
    with translation.override("en"), pytest.raises(BookingError) as err:
        services.book(user=club.representative, club=club, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])
    assert err.value.code == "suspended" and club.name in err.value.message
    # The representative's own bookings are not stopped by the group's suspension.
    services.book(user=club.representative, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])


def test_a_suspended_resident_or_group_cannot_apply_to_a_lottery(g):
    round = make_round(g.facility)
    choice = lottery_services.ChoiceRequest(unit=g.half_a, frame=g.frame(g.half_a), day=round.month + timedelta(days=4))
    user = UserFactory(district=DistrictFactory())
    suspend(user=user)
    with translation.override("ja"), pytest.raises(LotteryError) as err:
        lottery_services.apply(user=user, round=round, choices=[choice])
    assert err.value.code == "suspended" and "抽選" in err.value.message
    club = ClubFactory()
    suspend(club=club)
    with pytest.raises(LotteryError) as err:
        lottery_services.apply(user=club.representative, club=club, round=round, choices=[choice])
    assert err.value.code == "suspended"
    assert not round.applications.exists()


# --- Lifting ------------------------------------------------------------------------------
def test_staff_lift_a_suspension_with_a_reason_and_the_lift_is_logged(client, resident):
    staff = mfa_staff(client, FACILITIES)
    suspension = suspend(user=resident)
    assert "山田" in client.get("/admin/facilities/usage/suspensions/").content.decode()
    url = f"/admin/facilities/usage/suspensions/{suspension.pk}/lift/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    suspension.refresh_from_db()
    assert suspension.lifted_at is None
    response = client.post(url, {"reason": "体調不良の診断書を確認"})
    assert response.status_code == 302
    suspension.refresh_from_db()
    assert suspension.lifted_by == staff and suspension.lift_reason == "体調不良の診断書を確認"
    assert AccessLog.objects.filter(
        staff=staff, action="lift_suspension", object_type="facilities.Suspension", object_id=str(suspension.pk)
    ).exists()
    with pytest.raises(PenaltyError) as err:
        penalties.lift(suspension=suspension, by=staff, reason="もう一度")
    assert err.value.code == "already_lifted"


# --- The resident's page ----------------------------------------------------------------
def test_residents_see_their_points_and_suspension_and_another_resident_gets_404(client, g, resident):
    client.force_login(resident)
    no_show(held(g, resident, timezone.localdate() - timedelta(days=3)), after=timedelta(days=3))
    suspension = suspend(user=resident)
    club = ClubFactory(representative=resident)
    page = client.get("/my/reservations/points/").content.decode()
    assert "半面A" in page and club.name in page
    assert f"{suspension.ends_on.month}月{suspension.ends_on.day}日" in page
    assert "まで施設の予約と抽選の申込みができません" in client.get("/my/").content.decode()
    assert client.get(f"/my/reservations/points/groups/{club.pk}/").status_code == 200

    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/my/reservations/points/groups/{club.pk}/").status_code == 404
    assert "半面A" not in client.get("/my/reservations/points/").content.decode()


def test_the_points_pages_are_valid_html(client, home, g, resident, tmp_path):
    from tests.test_html_valid import VNU_JAR, vnu_errors

    assert VNU_JAR.exists(), "npm ci installs vnu-jar (or link node_modules)"
    client.force_login(resident)
    no_show(held(g, resident, timezone.localdate() - timedelta(days=3)), after=timedelta(days=3))
    suspend(user=resident)
    club = ClubFactory(representative=resident)
    pages = {
        url: client.get(url).content.decode()
        for url in ("/my/", "/my/reservations/points/", f"/my/reservations/points/groups/{club.pk}/")
    }
    assert vnu_errors(pages, tmp_path) == []


def test_a_suspended_resident_opening_the_booking_page_is_told_in_japanese_until_when(client, g, resident):
    suspension = suspend(user=resident)
    client.force_login(resident)
    day = timezone.localdate() + timedelta(days=5)
    frame = g.frame(g.half_a)
    response = client.get(f"/facilities/{g.facility.slug}/book/?date={day.isoformat()}&frame={frame.pk}")
    page = response.content.decode()
    end = suspension.ends_on
    assert f"{end.year}年{end.month}月{end.day}日" in page and "施設の予約と抽選の申込みができません" in page
    response = client.post(
        f"/facilities/{g.facility.slug}/book/", {"date": day.isoformat(), "frame": [frame.pk], "confirm": "1"}
    )
    assert not Reservation.objects.exists()


def test_other_staff_cannot_open_the_usage_pages_or_lift(client, g, resident):
    from portal.staff import WEB

    suspension = suspend(user=resident)
    reservation = held(g, resident, timezone.localdate() - timedelta(days=1))
    mfa_staff(client, WEB)
    base = "/admin/facilities/usage/"
    for url in (base, f"{base}suspensions/", f"{base}suspensions/{suspension.pk}/lift/"):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/admin/"), url
    query = {"facility": g.facility.pk, "day": reservation.date.isoformat()}
    client.post(base, {**query, "mark": f"{reservation.pk}:no_show"})
    client.post(f"{base}suspensions/{suspension.pk}/lift/", {"reason": "なし"})
    suspension.refresh_from_db()
    assert not UsageRecord.objects.exists() and suspension.lifted_at is None
