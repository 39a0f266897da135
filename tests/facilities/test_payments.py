"""Payment state and refund tiers (facilities.payments): pay-by deadlines, refunds shown before a
resident confirms a cancellation and recorded for the counter, the automatic lapse of unpaid
provisional bookings, and the accounting office's CSV.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from facilities import rules as booking_rules
from facilities import services
from facilities.lottery import services as lottery_services
from facilities.models import Facility, Occupancy, Reservation
from facilities.payments import rules
from facilities.payments import services as payments
from facilities.payments.exports import payments_csv
from facilities.payments.lapse import lapse_unpaid
from facilities.payments.tasks import lapse_unpaid_bookings
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from portal.models import AccessLog
from portal.staff import FACILITIES, WEB
from tests.facilities import test_lottery
from tests.facilities.factories import gym
from tests.facilities.test_lottery import _drawn_win
from tests.facilities.test_lottery import resident as lottery_resident
from tests.portal.factories import DistrictFactory, UserFactory
from tests.portal.test_staff_groups import mfa_staff

TOKYO = ZoneInfo("Asia/Tokyo")
lottery_hall = test_lottery.hall  # the lottery tests' facility fixture
USE_DAY = date(2027, 3, 10)


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


# --- Pure rules ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cancelled_at", "percent"),
    [
        (at(USE_DAY - timedelta(days=30)), 100),
        (at(USE_DAY - timedelta(days=7)), 100),  # 7 days before, from 00:00
        (at(USE_DAY - timedelta(days=7), 23, 59), 100),  # ... until 23:59 that day
        (at(USE_DAY - timedelta(days=6)), 50),
        (at(USE_DAY - timedelta(days=2), 23, 59), 50),  # 2 days before
        (at(USE_DAY - timedelta(days=1)), 0),
        (at(USE_DAY, 8, 0), 0),  # the same day
        # 2027-03-02 23:30 UTC is 03-03 08:30 in Tokyo: 7 days before there, 8 in UTC.
        (datetime(2027, 3, 2, 23, 30, tzinfo=ZoneInfo("UTC")), 100),
        # 2027-03-03 15:00 UTC is 03-04 00:00 in Tokyo: 6 days before there, 7 in UTC.
        (datetime(2027, 3, 3, 15, 0, tzinfo=ZoneInfo("UTC")), 50),
    ],
)
def test_refund_tiers_at_the_boundaries_in_tokyo_dates(cancelled_at, percent):
    tiers = rules.parse_tiers(rules.DEFAULT_TIERS)
    assert rules.refund_percent(tiers, USE_DAY, cancelled_at) == percent


def test_refund_amount_rounds_down_to_the_yen():
    assert rules.refund_amount(1500, 50) == 750
    assert rules.refund_amount(1001, 50) == 500
    assert rules.refund_amount(1000, 0) == 0


@pytest.mark.parametrize(
    ("text", "tiers"),
    [
        ("7:100, 2:50", [rules.Tier(7, 100), rules.Tier(2, 50)]),
        ("2:50,7:100", [rules.Tier(7, 100), rules.Tier(2, 50)]),
        ("30：100、 7:50%, 0:10", [rules.Tier(30, 100), rules.Tier(7, 50), rules.Tier(0, 10)]),
        ("", []),
    ],
)
def test_tiers_are_read_most_days_first(text, tiers):
    assert rules.parse_tiers(text) == tiers


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("7-100", "bad_format"),
        ("7:150", "over_100"),
        ("7:100, 7:50", "duplicate_days"),
        ("7:50, 2:100", "not_decreasing"),
    ],
)
def test_bad_tiers_are_refused(text, code):
    with pytest.raises(rules.TierError, match=code):
        rules.parse_tiers(text)


FAR = date(2027, 6, 20)


@pytest.mark.parametrize(
    ("rule", "value", "booked_at", "use_day", "deadline"),
    [
        (rules.NO_DEADLINE, 7, at(date(2027, 3, 1), 10), FAR, None),
        # Within 7 days of booking: the end of the 8th (exclusive: 00:00 on the 9th).
        (rules.DAYS_AFTER_BOOKING, 7, at(date(2027, 3, 1), 10), FAR, at(date(2027, 3, 9))),
        # Daito: by the 14th of the month of booking ...
        (rules.DAY_OF_MONTH, 14, at(date(2027, 3, 1), 10), FAR, at(date(2027, 3, 15))),
        (rules.DAY_OF_MONTH, 14, at(date(2027, 3, 13), 23), FAR, at(date(2027, 3, 15))),
        # ... or of the next month when booked on or after the 14th, across the year too.
        (rules.DAY_OF_MONTH, 14, at(date(2027, 3, 14), 9), FAR, at(date(2027, 4, 15))),
        (rules.DAY_OF_MONTH, 14, at(date(2026, 12, 20), 9), FAR, at(date(2027, 1, 15))),
        # Never later than the day before use.
        (rules.DAYS_AFTER_BOOKING, 7, at(date(2027, 3, 1), 10), date(2027, 3, 5), at(date(2027, 3, 5))),
        # Booked the day before: until the end of that day.
        (rules.DAYS_AFTER_BOOKING, 7, at(date(2027, 3, 4), 10), date(2027, 3, 5), at(date(2027, 3, 5))),
        # Booked on the day: pay at the counter when the slot starts; it never lapses.
        (rules.DAYS_AFTER_BOOKING, 7, at(date(2027, 3, 5), 7), date(2027, 3, 5), at(date(2027, 3, 5), 9)),
    ],
)
def test_pay_by_deadline(rule, value, booked_at, use_day, deadline):
    slot_start = at(use_day, 9)
    assert rules.pay_by(rule, value, booked_at=booked_at, use_day=use_day, slot_start=slot_start) == deadline


# --- With the database ----------------------------------------------------------------------


def weekday_ahead(days: int) -> date:
    day = timezone.localdate() + timedelta(days=days)
    while booking_rules.is_holiday(day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def g():
    return gym(pay_by_rule=rules.DAYS_AFTER_BOOKING, pay_by_value=2)


@pytest.fixture
def resident(client):
    user = UserFactory(district=DistrictFactory(), language="en")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def book_one(g, user, day, *, now=None, frame="午前") -> Reservation:
    [reservation] = services.book(
        user=user, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, frame), day)], enforce_rules=False, now=now
    )
    return reservation


@pytest.mark.django_db
def test_a_booking_gets_its_facilitys_pay_by_deadline(g, resident):
    reservation = book_one(g, resident, weekday_ahead(20))
    reservation.refresh_from_db()
    booked_on = timezone.localdate()
    assert reservation.pay_by == at(booked_on + timedelta(days=3))
    assert reservation.payment_state == rules.UNPAID
    mail = OutboundMail.objects.get(to_email=resident.email, category="facilities_booked")
    last = booked_on + timedelta(days=2)
    assert f"Pay by 23:59 on {last.day} {last:%b} {last.year} (counter or convenience store)" in mail.body_text


@pytest.mark.django_db
def test_the_refund_shown_before_confirming_is_the_one_recorded(client, g, resident):
    day = weekday_ahead(4)  # 4 to 6 days before: the 50 % tier (cancelling online is open until 3 days before)
    reservation = book_one(g, resident, day)
    payments.record_payment(reservation=reservation, paid_on=timezone.localdate(), method="counter")

    page = client.get(f"/my/reservations/{reservation.pk}/cancel/")
    shown = page.context["refund"]
    assert (shown.paid, shown.percent, shown.amount) == (1000, 50, 500)
    html = " ".join(page.content.decode().split())
    assert "If you cancel now you get back 500 yen (50% of the 1,000 yen you paid)." in html
    assert "<caption>Refunds by when you cancel</caption>" in html

    # A stale amount (the tier changed since the page was shown) cancels nothing.
    response = client.post(f"/my/reservations/{reservation.pk}/cancel/", {"refund": "1000"}, follow=True)
    assert "The refund has changed." in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CONFIRMED

    client.post(f"/my/reservations/{reservation.pk}/cancel/", {"refund": str(shown.amount)})
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert (reservation.refund_amount, reservation.refund_percent) == (shown.amount, shown.percent)
    assert reservation.payment_state == rules.REFUND_DUE
    assert "500 yen (50%)" in client.get(f"/my/reservations/{reservation.pk}/").content.decode()


@pytest.mark.django_db
def test_an_unpaid_booking_is_told_nothing_is_refunded_and_records_no_refund(client, g, resident):
    reservation = book_one(g, resident, weekday_ahead(10))
    page = " ".join(client.get(f"/my/reservations/{reservation.pk}/cancel/").content.decode().split())
    assert "You have not paid the fee, so there is nothing to refund and nothing to pay." in page
    client.post(f"/my/reservations/{reservation.pk}/cancel/", {"refund": "0"})
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert reservation.refund_amount is None


@pytest.mark.django_db
def test_another_resident_gets_404_on_someones_cancel_page(client, g, resident):
    theirs = book_one(g, UserFactory(), weekday_ahead(10))
    payments.record_payment(reservation=theirs, paid_on=timezone.localdate(), method="konbini")
    assert client.get(f"/my/reservations/{theirs.pk}/cancel/").status_code == 404
    assert client.post(f"/my/reservations/{theirs.pk}/cancel/", {"refund": "1000"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Reservation.Status.CONFIRMED and theirs.refund_amount is None


@pytest.mark.django_db
def test_lapse_cancels_an_unpaid_booking_releases_the_slot_and_mails_once_in_the_residents_language(g):
    japanese = UserFactory(district=DistrictFactory(), language="ja")
    day = weekday_ahead(20)
    reservation = book_one(g, japanese, day, now=timezone.now() - timedelta(days=4))  # pay-by passed yesterday
    assert Occupancy.objects.filter(reservation=reservation).exists()

    assert lapse_unpaid_bookings.run() == 1
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED and reservation.lapsed_at is not None
    assert reservation.cancel_reason == "期限までにお支払いがなかったため"
    assert not Occupancy.objects.filter(reservation=reservation).exists()

    # The slot is free again: someone else books it.
    other = book_one(g, UserFactory(district=DistrictFactory()), day)
    assert other.status == Reservation.Status.CONFIRMED

    mails = OutboundMail.objects.filter(to_email=japanese.email, category="facilities_lapsed")
    assert mails.count() == 1
    assert "お支払いの期限" in mails[0].subject
    assert not OutboundMail.objects.filter(to_email=japanese.email, category="facilities_cancelled").exists()
    assert lapse_unpaid() == 0, "idempotent: a second run lapses nothing and mails nothing"
    assert OutboundMail.objects.filter(to_email=japanese.email, category="facilities_lapsed").count() == 1


@pytest.mark.django_db
def test_paid_bookings_never_lapse(g):
    user = UserFactory(district=DistrictFactory())
    reservation = book_one(g, user, weekday_ahead(20), now=timezone.now() - timedelta(days=4))
    payments.record_payment(reservation=reservation, paid_on=timezone.localdate() - timedelta(days=1), method="konbini")
    assert lapse_unpaid(timezone.now() + timedelta(days=10)) == 0
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CONFIRMED and reservation.payment_state == rules.PAID


@pytest.mark.django_db
def test_no_deadline_facilities_and_late_bookings_never_lapse():
    plain = gym()  # no pay-by rule
    user = UserFactory(district=DistrictFactory())
    [r] = services.book(
        user=user,
        unit=plain.half_a,
        slots=[SlotRequest(plain.frame(plain.half_a), weekday_ahead(20))],
        enforce_rules=False,
    )
    assert r.pay_by is None
    assert lapse_unpaid(timezone.now() + timedelta(days=10)) == 0


def test_the_lapse_runs_last_in_the_beat_schedule():
    assert "facilities.lapse_unpaid_bookings" in [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]


@pytest.mark.django_db
def test_facility_settings_refuse_bad_tiers_in_japanese(g):
    g.facility.refund_tiers = "7:50, 2:100"
    g.facility.pay_by_rule, g.facility.pay_by_value = rules.DAY_OF_MONTH, 31
    with translation.override("ja"), pytest.raises(ValidationError) as error:
        g.facility.full_clean()
    assert error.value.message_dict["refund_tiers"] == ["後で取り消すほど返金が多くなる設定はできません。"]
    assert error.value.message_dict["pay_by_value"] == ["月の日付は1から28の間で選んでください。"]


# --- Staff -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_staff_record_a_payment_and_a_future_date_is_refused(client, g):
    mfa_staff(client, FACILITIES)
    reservation = book_one(g, UserFactory(district=DistrictFactory()), weekday_ahead(10))
    url = f"/admin/facilities/reservations/payment/{reservation.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"paid_on": str(timezone.localdate() + timedelta(days=1)), "method": "counter"})
    assert response.status_code == 200
    assert "支払日に未来の日付は指定できません。" in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.paid_at is None

    response = client.post(url, {"paid_on": str(timezone.localdate()), "method": "konbini"})
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.payment_method == "konbini" and reservation.payment_state == rules.PAID


@pytest.mark.django_db
def test_accounting_csv_lists_payments_and_refunds_in_the_range(client, g):
    mfa_staff(client, FACILITIES)
    today = timezone.localdate()
    user = UserFactory(district=DistrictFactory(), family_name="山田", given_name="花子")
    refunded = book_one(g, user, weekday_ahead(20))
    kept = book_one(g, user, weekday_ahead(20), frame="午後")
    old = book_one(g, user, weekday_ahead(20), frame="夜間")
    payments.record_payment(reservation=refunded, paid_on=today - timedelta(days=1), method="counter")
    payments.record_payment(reservation=kept, paid_on=today, method="konbini")
    payments.record_payment(reservation=old, paid_on=today - timedelta(days=40), method="counter")
    services.cancel(reservation=refunded, by=user)  # 20 days before: 100 %
    payments.record_refund(reservation=refunded, refunded_on=today)

    response = client.get(
        "/admin/facilities/payments/export/", {"first": str(today - timedelta(days=1)), "last": str(today)}
    )
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == [
        "日付",
        "種別",
        "予約番号",
        "施設",
        "室場",
        "利用日",
        "時間帯",
        "氏名",
        "団体",
        "支払方法",
        "還付率(%)",
        "金額(円)",
    ]
    summary = sorted((row[0], row[1], int(row[2]), row[7], row[9], row[11]) for row in rows[1:])
    assert summary == sorted(
        [
            (str(today - timedelta(days=1)), "入金", refunded.pk, "山田 花子", "窓口", "1000"),
            (str(today), "入金", kept.pk, "山田 花子", "コンビニ収納", "1000"),
            (str(today), "還付", refunded.pk, "山田 花子", "", "-1000"),
        ]
    )
    assert AccessLog.objects.filter(action="export", object_type="facilities.payments").count() == 1

    bad = client.get(
        "/admin/facilities/payments/export/", {"first": str(today), "last": str(today - timedelta(days=3))}
    )
    assert bad.status_code == 200 and "text/html" in bad["Content-Type"]
    assert "最終日は初日より前の日付にできません。" in bad.content.decode()


@pytest.mark.django_db
def test_staff_record_a_refund_from_the_list_and_only_once(client, g):
    mfa_staff(client, FACILITIES)
    user = UserFactory(district=DistrictFactory())
    reservation = book_one(g, user, weekday_ahead(20))
    payments.record_payment(reservation=reservation, paid_on=timezone.localdate(), method="counter")
    response = client.post(
        f"/admin/facilities/reservations/cancel/{reservation.pk}/", {"reason": "ご本人から電話"}, follow=True
    )
    assert "窓口で還付する金額：1,000円（使用料の100%）" in response.content.decode(), "20 days before: all of it"
    listing = client.get("/admin/facilities/reservations/").content.decode()
    assert "還付待ち" in listing
    assert f"/admin/facilities/reservations/refund/{reservation.pk}/" in listing
    assert "/admin/facilities/payments/export/" in listing

    url = f"/admin/facilities/reservations/refund/{reservation.pk}/"
    assert client.post(url, {"refunded_on": str(timezone.localdate())}).status_code == 302
    reservation.refresh_from_db()
    assert reservation.payment_state == rules.REFUNDED
    again = client.post(url, {"refunded_on": str(timezone.localdate())})
    assert again.status_code == 200 and "この還付は記録済みです。" in again.content.decode()


@pytest.mark.django_db
def test_other_staff_cannot_record_payments_or_download_the_csv(client, g):
    mfa_staff(client, WEB)
    reservation = book_one(g, UserFactory(district=DistrictFactory()), weekday_ahead(10))
    today = str(timezone.localdate())
    for url, data in [
        (f"/admin/facilities/reservations/payment/{reservation.pk}/", {"paid_on": today, "method": "counter"}),
        (f"/admin/facilities/reservations/refund/{reservation.pk}/", {"refunded_on": today}),
    ]:
        response = client.post(url, data)
        assert (response.status_code, response.url) == (302, "/admin/"), url
    response = client.get("/admin/facilities/payments/export/", {"first": today, "last": today})
    assert (response.status_code, response.url) == (302, "/admin/")
    reservation.refresh_from_db()
    assert reservation.paid_at is None


@pytest.mark.django_db
def test_a_lottery_win_gets_its_pay_by_deadline_when_confirmed(lottery_hall):
    Facility.objects.filter(pk=lottery_hall.facility.pk).update(pay_by_rule=rules.DAY_OF_MONTH, pay_by_value=14)
    user = lottery_resident()
    _round, win = _drawn_win(lottery_hall, user)
    assert win.pay_by is None, "a win waiting for confirmation has no pay-by deadline"
    confirmed_at = win.confirm_by - timedelta(minutes=1)
    lottery_services.confirm(reservation=win, user=user, now=confirmed_at)
    win.refresh_from_db()
    expected = rules.pay_by(rules.DAY_OF_MONTH, 14, booked_at=confirmed_at, use_day=win.date, slot_start=win.start)
    assert win.pay_by == expected is not None


@pytest.mark.django_db
def test_the_csv_takes_one_query_however_many_rows(g, django_assert_num_queries):
    user = UserFactory(district=DistrictFactory())
    today = timezone.localdate()
    for label in ("午前", "午後", "夜間"):
        paid = book_one(g, user, weekday_ahead(20), frame=label)
        payments.record_payment(reservation=paid, paid_on=today, method="counter")
    with django_assert_num_queries(1):
        body = payments_csv(today, today)
    assert body.count("\r\n") == 4  # the headings and three payments
