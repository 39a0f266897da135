"""Demo facilities for a laptop: a gym, a community hall and tennis courts, with fees, a group and bookings.

:func:`build_demo_facilities` is safe to run again: it updates what is there and adds only
what is missing. Bookings are made through the booking service (no mail), on the next free
open days, so the demo calendar always has something booked in the coming weeks.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from facilities import rules, services
from facilities.errors import BookingError
from facilities.models import Closure, Club, Facility, Fee, LotteryRound, OpeningHours, Reservation, TimeFrame, Unit
from facilities.selectors import Availability, SlotState
from portal.staff import FACILITIES as FACILITIES_GROUP

DEMO_NOTE = "デモデータ"

THREE_FRAMES = [("午前", time(9), time(12)), ("午後", time(13), time(17)), ("夜間", time(18), time(21))]
HOURLY = [(f"{h}:00–{h + 1}:00", time(h), time(h + 1)) for h in range(9, 21)]
TENNIS = [(f"{h}:00–{h + 2}:00", time(h), time(h + 2)) for h in range(7, 19, 2)]

# Facility → (fields, opening hours by weekday, units). A unit: (name, parent, capacity, groups only, frames, fees),
# fees as the resident weekday fee of each frame; holidays cost 20 % more, non-residents twice as much.
FACILITIES = [
    (
        {
            "slug": "sogo-taiikukan",
            "reading": "そうごうたいいくかん 体育館 アリーナ",
            "name": "総合体育館",
            "kind": Facility.Kind.SPORTS,
            "address": "みどり町本町1-2-3",
            "phone": "0123-45-1111",
            "description": "バスケットボール、バレーボール、バドミントンなどに使えるアリーナです。"
            "アリーナは全面でも、半面ずつでも予約できます。",
            "accessibility": "正面入口はスロープで段差がありません。多目的トイレ（1階）、車いす用駐車場2台。"
            "受付に筆談ボードがあります。",
            "equipment": "バスケットゴール4基、バレーボール支柱・ネット、バドミントン支柱6組、得点板",
            "sort_order": 10,
        },
        {weekday: (time(9), time(21)) for weekday in range(1, 7)},  # 月曜休館
        [
            ("アリーナ全面", None, 300, False, THREE_FRAMES, [3000, 4000, 5000]),
            ("半面A", "アリーナ全面", 150, False, THREE_FRAMES, [1500, 2000, 2500]),
            ("半面B", "アリーナ全面", 150, False, THREE_FRAMES, [1500, 2000, 2500]),
        ],
    ),
    (
        {
            "slug": "chuo-kominkan",
            "reading": "ちゅうおうこうみんかん 公民館 会議室 ホール",
            "name": "中央公民館",
            "kind": Facility.Kind.COMMUNITY,
            "address": "みどり町本町2-5-1",
            "phone": "0123-45-2222",
            "description": "講演会や発表会のホール、会議室、茶道や着付けに使える和室があります。",
            "accessibility": "エレベーターあり（全階）。多目的トイレ（1階・2階）。ホールに磁気ループがあります。",
            "equipment": "ホール：音響設備、プロジェクター、ピアノ。会議室：ホワイトボード、プロジェクター（貸出）。",
            "sort_order": 20,
        },
        {weekday: (time(9), time(21)) for weekday in range(7)},
        [
            ("ホール", None, 200, False, THREE_FRAMES, [5000, 6000, 7000]),
            ("会議室A", None, 30, False, HOURLY, [300] * len(HOURLY)),
            ("会議室B", None, 20, False, HOURLY, [200] * len(HOURLY)),
            ("和室", None, 20, False, THREE_FRAMES, [800, 1000, 1000]),
        ],
    ),
    (
        {
            "slug": "tennis-court",
            "reading": "てにすこーと",
            "name": "テニスコート",
            "kind": Facility.Kind.SPORTS,
            "address": "みどり町緑ケ丘3-10",
            "phone": "0123-45-3333",
            "description": "砂入り人工芝のコートが2面あります。コート2は登録団体専用です。",
            "accessibility": "駐車場からコートまで段差なし。多目的トイレはクラブハウスにあります。",
            "equipment": "ネット、審判台。ラケット・ボールの貸出はありません。",
            "closed_on_holidays": False,
            "sort_order": 30,
        },
        {weekday: (time(7), time(19)) for weekday in range(7)},
        [
            ("コート1", None, 4, False, TENNIS, [600] * len(TENNIS)),
            ("コート2", None, 4, True, TENNIS, [600] * len(TENNIS)),
        ],
    ),
]


def _facility(fields: dict, hours: dict, units: list) -> Facility:
    fields = dict(fields)
    facility, _created = Facility.objects.update_or_create(slug=fields.pop("slug"), defaults=fields)
    for weekday, (opens, closes) in hours.items():
        OpeningHours.objects.update_or_create(
            facility=facility, weekday=weekday, defaults={"opens": opens, "closes": closes}
        )
    OpeningHours.objects.filter(facility=facility).exclude(weekday__in=hours).delete()
    by_name: dict[str, Unit] = {}
    for order, (name, parent, capacity, groups_only, frames, fees) in enumerate(units):
        unit, _created = Unit.objects.update_or_create(
            facility=facility,
            name=name,
            defaults={
                "parent": by_name.get(parent),
                "capacity": capacity,
                "groups_only": groups_only,
                "active": True,
                "sort_order": order,
            },
        )
        by_name[name] = unit
        for (label, start, end), fee in zip(frames, fees, strict=True):
            frame, _created = TimeFrame.objects.update_or_create(
                unit=unit, start=start, defaults={"label": label, "end": end}
            )
            for resident in (True, False):
                for day_type, factor in ((Fee.DayType.WEEKDAY, 1.0), (Fee.DayType.HOLIDAY, 1.2)):
                    amount = int(round(fee * factor * (1 if resident else 2), -1))
                    Fee.objects.update_or_create(
                        frame=frame, resident=resident, day_type=day_type, defaults={"unit": unit, "amount": amount}
                    )
    return facility


def _year_end_closures(facility: Facility, today: date) -> None:
    """年末年始 (12/29–1/3), for the one just past or running and the coming one."""
    for year in (today.year - 1, today.year):
        Closure.objects.get_or_create(
            facility=facility,
            unit=None,
            start_date=date(year, 12, 29),
            defaults={"end_date": date(year + 1, 1, 3), "reason": "年末年始休館"},
        )


def _free_day(unit: Unit, frame: TimeFrame, first: date, *, weekend: bool | None = None) -> date | None:
    """The first day from ``first`` on which ``frame`` of ``unit`` is free (staff view: no booking window)."""
    availability = Availability(unit.facility, first, first + timedelta(days=60))
    for day in availability.days():
        if weekend is not None and (day.weekday() >= 5) != weekend:
            continue
        if availability.slot(unit, frame, day, ignore_window=True).state is SlotState.FREE:
            return day
    return None


def _demo_booking(unit: Unit, frame_label: str, first: date, *, weekend: bool | None = None, **kwargs) -> None:
    """Book one demo slot unless this unit already has an upcoming demo booking."""
    if Reservation.objects.filter(
        unit=unit, note=DEMO_NOTE, status__in=Reservation.ACTIVE, end__gt=timezone.now()
    ).exists():
        return
    frame = unit.frames.get(label=frame_label)
    day = _free_day(unit, frame, first, weekend=weekend)
    if day is None:
        return
    try:
        if "reason" in kwargs:
            booked = services.block(unit=unit, slots=[services.SlotRequest(frame, day)], **kwargs)
        else:
            booked = services.book(
                unit=unit, slots=[services.SlotRequest(frame, day)], enforce_rules=False, notify=False, **kwargs
            )
    except BookingError:
        return
    Reservation.objects.filter(pk__in=[r.pk for r in booked]).update(note=DEMO_NOTE)


def _lottery(facility: Facility, today: date) -> None:
    """An open lottery for the month after next: applications from the 1st until the 10th (or a week from now)."""
    tz = timezone.get_default_timezone()
    month = rules.first_of_month(rules.first_of_month(today) + timedelta(days=62))
    opens = datetime.combine(rules.first_of_month(today), time(9), tzinfo=tz)
    closes = datetime.combine(today.replace(day=10), time(23, 59), tzinfo=tz)
    if closes <= timezone.now():
        closes = datetime.combine(today + timedelta(days=7), time(23, 59), tzinfo=tz)
    LotteryRound.objects.get_or_create(
        facility=facility, month=month, defaults={"opens_at": min(opens, timezone.now()), "closes_at": closes}
    )


def build_demo_facilities(*, resident=None, staff=None) -> list[Facility]:
    """Create or update the demo facilities; with ``resident``, also their group, bookings and a lottery."""
    today = timezone.localdate()
    facilities = [_facility(*spec) for spec in FACILITIES]
    gym, hall, tennis = facilities
    for facility in facilities:
        _year_end_closures(facility, today)
    for facility in (gym, tennis):
        _lottery(facility, today)
    if resident is None:
        return facilities

    club, _created = Club.objects.get_or_create(
        name="みどりバレーボールクラブ",
        representative=resident,
        defaults={
            "member_count": 18,
            "resident_member_count": 15,
            "purpose": "町民の健康づくりと親睦のため、毎週土曜日にバレーボールの練習をしています。",
            "status": Club.Status.APPROVED,
            "decision_reason": "",
            "decided_at": timezone.now(),
        },
    )
    units = {
        (u.facility.slug, u.name): u for u in Unit.objects.filter(facility__in=facilities).select_related("facility")
    }
    soon = today + timedelta(days=3)
    _demo_booking(units["chuo-kominkan", "会議室A"], "10:00–11:00", soon, weekend=False, user=resident)
    _demo_booking(units["sogo-taiikukan", "半面A"], "夜間", soon, weekend=True, user=resident, club=club)
    _demo_booking(
        units["chuo-kominkan", "和室"],
        "午後",
        soon,
        user=None,
        customer_name="佐藤 一郎",
        customer_phone="0123-45-6789",
        source=Reservation.Source.COUNTER,
        created_by=staff,
        resident=True,
    )
    _demo_booking(
        units["tennis-court", "コート2"], "9:00–11:00", today + timedelta(days=5), reason="コート整備", by=staff
    )
    return facilities


def load_demo(people) -> list[str]:
    """``load_demo``'s part for facilities (see portal/demo.py): the demo staff member joins 施設."""
    # 施設 too, so the demo shows the reservations admin (/admin/facilities/reservations/).
    people.staff.groups.add(Group.objects.get_or_create(name=FACILITIES_GROUP)[0])
    build_demo_facilities(resident=people.resident, staff=people.staff)
    return []
