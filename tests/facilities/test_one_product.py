"""Issue 12, "one product": the facility pages read as one Japanese (or English) product.

A slot's time once and in one format, a payment status only where something is owed, one
「予約の名義」, the town's date format, groups-only units offered only to groups, and a
confirmation before a lottery application is withdrawn (like cancelling a booking).
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from facilities.lottery import services as lottery_services
from facilities.models import LotteryApplication, Reservation, TimeFrame
from facilities.services import SlotRequest, book, cancel
from tests.facilities.factories import ClubFactory, UnitFactory, gym
from tests.facilities.test_lottery import hall, make_round, pick, resident  # noqa: F401 (hall is a fixture)
from tests.portal.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEKDAYS_JA = "月火水木金土日"


def text(response) -> str:
    return " ".join(response.content.decode().split())


def main(response) -> str:
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def ja_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"


@pytest.fixture
def day() -> date:
    return timezone.localdate() + timedelta(days=5)


@pytest.fixture
def hourly():
    """A gym whose meeting room is booked by the hour, its frames labelled with their own time."""
    g = gym()
    room = UnitFactory(facility=g.facility, name="会議室A", capacity=20, sort_order=9)
    frame = TimeFrame.objects.create(unit=room, label="9:00–10:00", start=time(9), end=time(10))
    return g, room, frame


@pytest.fixture
def japanese_resident(client):
    user = UserFactory(district=DistrictFactory(), language="ja")
    client.force_login(user)
    return user


def test_an_hourly_slot_shows_its_time_once_on_every_page(client, hourly, day, japanese_resident):
    g, room, frame = hourly
    confirm = main(client.get(f"/facilities/{g.facility.slug}/book/?date={day.isoformat()}&frame={frame.pk}"))
    [reservation] = book(user=japanese_resident, unit=room, slots=[SlotRequest(frame, day)])
    pages = {
        "confirm": confirm,
        "booked": main(client.get(f"/my/reservations/booked/?r={reservation.pk}")),
        "list": main(client.get("/my/reservations/")),
        "detail": main(client.get(f"/my/reservations/{reservation.pk}/")),
        "cancel": main(client.get(f"/my/reservations/{reservation.pk}/cancel/")),
        "day grid": main(client.get(f"/facilities/{g.facility.slug}/?date={day.isoformat()}")),
    }
    for name, page in pages.items():
        assert "9:00–10:00 09:00–10:00" not in page and "9:00–10:00<span" not in page, name
        assert "9:00–10:00" not in page.replace("09:00–10:00", ""), f"{name}: the label repeats the time"
    for name in ("confirm", "list", "detail", "cancel"):
        assert "09:00–10:00" in pages[name], name
    assert f"{ja_date(day)} 09:00–10:00" in pages["list"]


def test_a_named_frame_keeps_its_name_beside_the_time(client, day, japanese_resident):
    g = gym()
    morning = g.frame(g.arena, "午前")
    page = main(client.get(f"/facilities/{g.facility.slug}/book/?date={day.isoformat()}&frame={morning.pk}"))
    assert "午前 09:00–12:00" in page


def test_a_cancelled_booking_shows_no_payment_status(client, day, japanese_resident):
    g = gym()
    [kept] = book(user=japanese_resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, "午前"), day)])
    [gone] = book(user=japanese_resident, unit=g.half_b, slots=[SlotRequest(g.frame(g.half_b, "夜間"), day)])
    cancel(reservation=gone, by=japanese_resident)
    assert Reservation.objects.get(pk=gone.pk).status == Reservation.Status.CANCELLED
    page = main(client.get("/my/reservations/"))
    assert page.count("未払い") == 1, "only the active booking is still to be paid"
    detail = main(client.get(f"/my/reservations/{gone.pk}/"))
    assert "未払い" not in detail and "お支払い" not in detail
    assert "未払い：窓口でお支払いください" in main(client.get(f"/my/reservations/{kept.pk}/"))


def test_the_confirm_page_says_who_the_booking_is_for_once(client, day, japanese_resident):
    g = gym()
    ClubFactory(representative=japanese_resident)
    page = main(client.get(f"/facilities/{g.facility.slug}/book/?date={day.isoformat()}&frame={g.frame(g.arena).pk}"))
    assert page.count("予約の名義") == 1
    assert "予約の名義</dt>" in page and "別の名義で予約する" in page


def test_dates_read_the_towns_way_in_japanese_and_english(client, hall):  # noqa: F811
    user = resident(language="ja")
    round = make_round(hall.facility)
    application = lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 3)])
    client.force_login(user)
    closes = timezone.localtime(round.closes_at)
    choice_day = round.month + timedelta(days=2)
    url = reverse("facilities:lottery_application", args=[application.pk])
    ja = main(client.get(url))
    assert f"{ja_date(closes.date())} {closes:%H:%M}" in ja
    assert f"{ja_date(choice_day)} 午前 09:00–12:00" in ja
    assert f"{round.month.year}年{round.month.month}月" in ja
    assert not re.search(r"\d{4}-\d\d-\d\d", ja)
    client.cookies["django_language"] = "en"
    en = main(client.get(url))
    assert f"{closes.day} {closes:%b %Y %H:%M}" in en
    assert f"{choice_day:%a} {choice_day.day} {choice_day:%b %Y} 午前 09:00–12:00" in en
    assert not re.search(r"\d{4}-\d\d-\d\d", en)


def test_groups_only_units_are_offered_only_to_someone_who_can_apply_for_a_group(client, hall):  # noqa: F811
    round = make_round(hall.facility)
    alone = resident(language="ja")
    client.force_login(alone)
    page = main(client.get(f"/facilities/lottery/{round.pk}/apply/"))
    assert "武道場" not in page.split("登録団体だけが予約できる")[0], "not offered to an individual"
    assert "登録団体だけが予約できる部屋" in page, "and the page says why it is missing"

    leader = resident(language="ja")
    ClubFactory(representative=leader)
    client.force_login(leader)
    page = main(client.get(f"/facilities/lottery/{round.pk}/apply/"))
    assert "武道場（登録団体のみ）" in page


def test_withdrawing_a_lottery_application_asks_first_without_javascript(client, hall):  # noqa: F811
    user = resident(language="ja")
    round = make_round(hall.facility)
    application = lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 3)])
    client.force_login(user)
    detail = text(client.get(reverse("facilities:lottery_application", args=[application.pk])))
    withdraw_url = reverse("facilities:lottery_withdraw", args=[application.pk])
    assert f'action="{withdraw_url}"' not in detail, "no one-click withdrawal"
    assert f'href="{withdraw_url}"' in detail

    ask = client.get(withdraw_url)
    assert ask.status_code == 200
    page = main(ask)
    assert "この申し込みを取り下げますか" in page and "はい、取り下げます" in page and "会議室" in page
    application.refresh_from_db()
    assert application.status == LotteryApplication.Status.SUBMITTED, "looking does not withdraw"

    response = client.post(withdraw_url)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == LotteryApplication.Status.WITHDRAWN


def test_japanese_labels_take_a_full_width_colon(client, hall):  # noqa: F811
    user = resident(language="ja")
    round = make_round(hall.facility)
    application = lottery_services.apply(user=user, round=round, choices=[pick(hall, round, hall.room, 3)])
    client.force_login(user)
    page = main(client.get(reverse("facilities:lottery_application", args=[application.pk])))
    assert "状態：" in page
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]: ", page)
