"""Staff manage facility reservations in the Wagtail admin (施設予約): only the 施設 group may."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from facilities import rules, services
from facilities.models import Closure, Club, LotteryRound, Occupancy, Reservation, Unit
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from portal.models import AccessLog, District
from portal.staff import FACILITIES, WEB
from tests.facilities.factories import ClubFactory, gym
from tests.portal.factories import UserFactory
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db

BASE = "/admin/facilities"
LISTS = [
    f"{BASE}/reservations/",
    f"{BASE}/occupancy/",
    f"{BASE}/groups/",
    f"{BASE}/lotteries/",
    f"{BASE}/facilities/",
    f"{BASE}/units/",
    f"{BASE}/frames/",
    f"{BASE}/hours/",
    f"{BASE}/closures/",
    f"{BASE}/fees/",
]


@pytest.fixture
def hall():
    return gym(name="みどり町民体育館", slug="midori-gym")


@pytest.fixture
def resident():
    return UserFactory(
        family_name="山田",
        given_name="花子",
        family_name_kana="ヤマダ",
        given_name_kana="ハナコ",
        district=District.objects.get_or_create(code="T01", defaults={"name": "本町1丁目"})[0],
    )


def next_weekday(days_ahead: int = 10) -> date:
    """A weekday at least ``days_ahead`` days from today (weekday fees, not a public holiday)."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    while rules.is_holiday(day):
        day += timedelta(days=1)
    return day


def book_for(user, unit, frame, day, **kwargs) -> Reservation:
    return services.book(
        user=user, unit=unit, slots=[SlotRequest(frame, day)], enforce_rules=False, notify=False, **kwargs
    )[0]


def test_facilities_staff_open_every_page_of_the_menu(client, hall):
    mfa_staff(client, FACILITIES)
    for url in LISTS:
        assert client.get(url).status_code == 200, url
    dashboard = client.get("/admin/").content.decode()
    assert f"{BASE}/reservations/" in dashboard, "the 施設予約 menu is shown"


def test_web_staff_are_refused_and_do_not_see_the_menu(client, hall):
    mfa_staff(client, WEB)
    for url in [*LISTS, f"{BASE}/reservations/book/", f"{BASE}/reservations/cancel/999/", f"{BASE}/groups/decide/999/"]:
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/admin/"), url
    response = client.post(
        f"{BASE}/reservations/book/?unit={hall.half_a.pk}&date={next_weekday()}",
        {"frames": [hall.frame(hall.half_a).pk], "customer_name": "佐藤", "customer_phone": "090-1111-2222"},
    )
    assert response.status_code == 302
    assert not Reservation.objects.exists()
    assert f"{BASE}/reservations/" not in client.get("/admin/").content.decode()


@pytest.mark.sqlite
def test_book_on_behalf_of_a_phone_customer_and_an_overlap_is_refused_with_a_clear_message(client, hall):
    staff = mfa_staff(client, FACILITIES)
    day = next_weekday()
    url = f"{BASE}/reservations/book/?unit={hall.half_a.pk}&date={day}"
    page = client.get(url).content.decode()
    assert "午前" in page and "○" in page, "each frame shows whether it is free"

    response = client.post(
        url,
        {
            "frames": [hall.frame(hall.half_a, "午前").pk, hall.frame(hall.half_a, "午後").pk],
            "customer_name": "佐藤 一郎",
            "customer_phone": "090-1111-2222",
            "resident_rate": "on",
        },
    )
    assert response.status_code == 302
    booked = list(Reservation.objects.order_by("start"))
    assert [(r.unit, r.frame.label, r.date) for r in booked] == [(hall.half_a, "午前", day), (hall.half_a, "午後", day)]
    assert {(r.customer_name, r.customer_phone, r.source, r.created_by, r.fee) for r in booked} == {
        ("佐藤 一郎", "090-1111-2222", Reservation.Source.COUNTER, staff, 1000)
    }, "counter booking at the resident rate the staff chose"

    # The whole arena contains the booked half: refused, with the slot named, nothing saved.
    response = client.post(
        f"{BASE}/reservations/book/?unit={hall.arena.pk}&date={day}",
        {"frames": [hall.frame(hall.arena, "午前").pk], "customer_name": "鈴木", "customer_phone": "090-3333-4444"},
    )
    assert response.status_code == 200
    weekday = "月火水木金土日"[day.weekday()]
    assert f"{day.year}年{day.month}月{day.day}日({weekday}) 午前 09:00–12:00" in response.content.decode()
    assert response.context["form"].non_field_errors()
    assert Reservation.objects.count() == 2


def test_book_on_behalf_of_a_resident_account_mails_them_and_needs_a_known_account(client, hall, resident):
    mfa_staff(client, FACILITIES)
    day = next_weekday()
    url = f"{BASE}/reservations/book/?unit={hall.half_b.pk}&date={day}"
    frame = hall.frame(hall.half_b, "夜間")
    response = client.post(url, {"frames": [frame.pk], "email": "nobody@example.jp"})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert client.post(url, {"frames": [frame.pk]}).context["form"].non_field_errors(), "someone must be named"

    response = client.post(url, {"frames": [frame.pk], "email": resident.email.upper(), "resident_rate": ""})
    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert (reservation.user, reservation.resident_rate, reservation.fee) == (resident, False, 2000)
    assert OutboundMail.objects.filter(to_email=resident.email, subject__contains=hall.facility.name).exists()


def test_mark_paid_and_undo(client, hall, resident):
    mfa_staff(client, FACILITIES)
    reservation = book_for(resident, hall.half_a, hall.frame(hall.half_a), next_weekday())
    assert client.get(f"{BASE}/reservations/paid/{reservation.pk}/").status_code == 200
    assert client.post(f"{BASE}/reservations/paid/{reservation.pk}/").status_code == 302
    reservation.refresh_from_db()
    assert reservation.paid_at is not None
    listing = client.get(f"{BASE}/reservations/?paid=true").context["object_list"]
    assert list(listing) == [reservation]
    client.post(f"{BASE}/reservations/paid/{reservation.pk}/")
    reservation.refresh_from_db()
    assert reservation.paid_at is None
    assert list(client.get(f"{BASE}/reservations/?paid=false").context["object_list"]) == [reservation]


def test_staff_cancel_needs_a_reason_which_is_mailed_and_frees_the_slot(client, hall, resident):
    mfa_staff(client, FACILITIES)
    day = next_weekday(1)  # after the residents' online cancellation deadline: only staff can cancel
    reservation = book_for(resident, hall.half_a, hall.frame(hall.half_a), day)
    url = f"{BASE}/reservations/cancel/{reservation.pk}/"

    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    reservation.refresh_from_db()
    assert reservation.is_active

    assert client.post(url, {"reason": "床の緊急修理のため"}).status_code == 302
    reservation.refresh_from_db()
    assert (reservation.status, reservation.cancel_reason) == (Reservation.Status.CANCELLED, "床の緊急修理のため")
    mail = OutboundMail.objects.get(to_email=resident.email)
    assert "床の緊急修理のため" in mail.body_text
    assert not Occupancy.objects.exists()
    book_for(None, hall.arena, hall.frame(hall.arena), day, customer_name="次の人")  # the slot is free again


def test_group_approval_and_rejection_are_mailed_with_the_reason(client):
    mfa_staff(client, FACILITIES)
    pending = ClubFactory(status=Club.Status.PENDING, name="みどり卓球会")
    other = ClubFactory(status=Club.Status.PENDING, name="名ばかり会")
    assert "みどり卓球会" in client.get(f"{BASE}/groups/?status=pending").content.decode()

    response = client.post(f"{BASE}/groups/decide/{other.pk}/", {"decision": "reject", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert (
        client.post(
            f"{BASE}/groups/decide/{other.pk}/", {"decision": "reject", "reason": "町内在住の会員が半数未満です"}
        ).status_code
        == 302
    )
    assert client.post(f"{BASE}/groups/decide/{pending.pk}/", {"decision": "approve", "reason": ""}).status_code == 302

    pending.refresh_from_db()
    other.refresh_from_db()
    assert (pending.status, other.status) == (Club.Status.APPROVED, Club.Status.REJECTED)
    rejection = OutboundMail.objects.get(to_email=other.representative.email)
    assert "町内在住の会員が半数未満です" in rejection.body_text
    assert OutboundMail.objects.filter(to_email=pending.representative.email).count() == 1


@pytest.mark.sqlite
def test_csv_export_opens_in_excel_with_japanese_headers_and_follows_the_filters(client, hall, resident):
    mfa_staff(client, FACILITIES)
    day = next_weekday()
    book_for(resident, hall.half_a, hall.frame(hall.half_a), day)
    book_for(None, hall.half_b, hall.frame(hall.half_b), day, customer_name='=HYPERLINK("x")', customer_phone="1")
    other = gym(name="別の体育館", slug="other-gym")
    book_for(resident, other.half_a, other.frame(other.half_a), day)

    response = client.get(f"{BASE}/reservations/?export=csv&facility={hall.facility.pk}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for Excel"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert {"氏名", "電話番号", "メールアドレス"} <= set(header)
    by_name = {row[header.index("氏名")]: row for row in data}
    assert set(by_name) == {"山田 花子", '\'=HYPERLINK("x")'}, "other facility filtered out; formulas kept as text"
    row = by_name["山田 花子"]
    assert row[header.index("メールアドレス")] == resident.email
    assert str(day) in row and "09:00–12:00" in row and "1000" in row


def test_list_search_finds_a_resident_by_full_name_or_kana(client, hall, resident):
    mfa_staff(client, FACILITIES)
    mine = book_for(resident, hall.half_a, hall.frame(hall.half_a), next_weekday())
    book_for(None, hall.half_b, hall.frame(hall.half_b), next_weekday(), customer_name="佐藤 一郎")
    for query in ["山田 花子", "ハナコ"]:
        assert list(client.get(f"{BASE}/reservations/", {"q": query}).context["object_list"]) == [mine], query


def test_staff_views_of_residents_reservations_are_written_to_the_access_log(client, hall, resident):
    staff = mfa_staff(client, FACILITIES)
    reservation = book_for(resident, hall.half_a, hall.frame(hall.half_a), next_weekday())
    client.get(f"{BASE}/reservations/")
    client.get(f"{BASE}/reservations/?export=csv")
    client.get(f"{BASE}/reservations/inspect/{reservation.pk}/")
    client.get(f"{BASE}/reservations/cancel/{reservation.pk}/")
    logged = list(AccessLog.objects.order_by("at", "pk").values_list("staff", "action", "object_type", "object_id"))
    assert logged == [
        (staff.pk, "list", "facilities.Reservation", ""),
        (staff.pk, "export", "facilities.Reservation", ""),
        (staff.pk, "view", "facilities.Reservation", str(reservation.pk)),
        (staff.pk, "view", "facilities.Reservation", str(reservation.pk)),
    ]


def test_block_for_maintenance_skips_closed_days_and_refuses_a_slot_a_resident_holds(client, hall, resident):
    mfa_staff(client, FACILITIES)
    first = next_weekday(20)
    Closure.objects.create(
        facility=hall.facility, start_date=first + timedelta(days=1), end_date=first + timedelta(days=1), reason="選挙"
    )
    url = f"{BASE}/reservations/block/?unit={hall.half_b.pk}&date={first}"
    frames = [hall.frame(hall.half_b, "午前").pk]
    response = client.post(url, {"frames": frames, "last_date": first + timedelta(days=2), "reason": "照明交換"})
    assert response.status_code == 302
    blocked = Reservation.objects.filter(status=Reservation.Status.BLOCKED).order_by("date")
    assert [(r.date, r.fee) for r in blocked] == [(first, 0), (first + timedelta(days=2), 0)], "a block costs nothing"

    book_for(resident, hall.half_b, hall.frame(hall.half_b, "午後"), first + timedelta(days=3))
    response = client.post(
        f"{BASE}/reservations/block/?unit={hall.arena.pk}&date={first + timedelta(days=3)}",
        {"frames": [hall.frame(hall.arena, "午後").pk], "reason": "床の塗装"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert blocked.count() == 2


@pytest.mark.sqlite
def test_occupancy_report_counts_booked_out_of_bookable_slots_per_unit_and_day(client, hall, resident):
    mfa_staff(client, FACILITIES)
    month = rules.first_of_month(rules.first_of_month(timezone.localdate()) + timedelta(days=62))
    days = rules.month_days(month)
    Closure.objects.create(facility=hall.facility, start_date=days[0], end_date=days[6], reason="改修")
    open_days = len(days) - 7
    book_for(resident, hall.arena, hall.frame(hall.arena, "午前"), days[9])  # both halves too
    book_for(resident, hall.half_a, hall.frame(hall.half_a, "午後"), days[10])  # the arena too
    services.block(
        unit=hall.half_b, slots=[SlotRequest(hall.frame(hall.half_b, "午前"), days[11])], reason="点検", by=None
    )

    response = client.get(f"{BASE}/occupancy/", {"facility": hall.facility.pk, "month": f"{month:%Y-%m}"})
    html = re.sub(r"\s+", " ", response.content.decode())

    def row(label: str, bookable: int, booked: int) -> str:
        share = f"{round(100 * booked / bookable)}%"
        return f'<th scope="row">{label}</th> <td>{bookable}</td> <td>{booked}</td> <td>{share}</td>'

    slots = 3 * open_days  # three frames a day
    assert row("アリーナ全面", slots - 1, 2) in html, "the block on a half makes the arena unbookable then"
    assert row("半面A", slots, 2) in html
    assert row("半面B", slots - 1, 1) in html
    report = response.context["report"]
    assert [(d.share.bookable, d.share.booked) for d in report.days[9:12]] == [(6, 2), (6, 1), (5, 0)]
    assert report.days[0].share.percent is None, "a closed day has nothing bookable"
    assert (report.total.bookable, report.total.booked) == (2 * slots - 1, 3), "halves counted once each"
    assert "<svg" in html and "<table" in html, "a chart and the same numbers as a table"
    tenth = f"{days[9].year}年{days[9].month}月{days[9].day}日"  # the day in the Japanese date format
    assert re.search(rf'<th scope="row">{tenth}\(.\)</th> <td>6</td> <td>2</td> <td>33%</td>', html)


def test_a_unit_with_reservations_cannot_be_deleted_and_staff_are_told_why(client, hall, resident):
    mfa_staff(client, FACILITIES)
    book_for(resident, hall.half_a, hall.frame(hall.half_a), next_weekday())
    response = client.post(f"{BASE}/units/delete/{hall.half_a.pk}/", follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]][-1:] == ["error"], "told why, after the sign-in"
    assert Unit.objects.filter(pk=hall.half_a.pk).exists() and Reservation.objects.count() == 1
    assert client.post(f"{BASE}/units/delete/{hall.half_b.pk}/").status_code == 302
    assert not Unit.objects.filter(pk=hall.half_b.pk).exists(), "a unit nobody booked can be deleted"


def test_staff_open_a_lottery_round_and_a_drawn_round_links_to_its_audit(client, hall):
    mfa_staff(client, FACILITIES)
    month = rules.first_of_month(rules.first_of_month(timezone.localdate()) + timedelta(days=62))
    response = client.post(
        f"{BASE}/lotteries/new/",
        {
            "facility": hall.facility.pk,
            "month": f"{month:%Y-%m-%d}",
            "opens_at": f"{timezone.localdate():%Y-%m-%d} 09:00",
            "closes_at": f"{timezone.localdate() + timedelta(days=9):%Y-%m-%d} 23:59",
            "confirm_days": 5,
            "max_choices": 3,
            "max_wins": 2,
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    round = LotteryRound.objects.get(facility=hall.facility, month=month)
    audit = reverse("facilities_lottery_audit", args=[round.pk])
    assert audit not in client.get(f"{BASE}/lotteries/").content.decode(), "not drawn yet"
    LotteryRound.objects.filter(pk=round.pk).update(status=LotteryRound.Status.DRAWN)
    assert audit in client.get(f"{BASE}/lotteries/").content.decode()
    assert client.post(f"{BASE}/lotteries/delete/{round.pk}/").status_code == 302
    assert LotteryRound.objects.filter(pk=round.pk).exists(), "rounds are never deleted with their applications"
