"""Facility pages as a resident uses them: search, day view, month calendar, booking, my reservations,
cancelling, the private calendar feed and group registration. Bad input gets a clear message and
changes nothing; another resident's reservation is a 404.

Days are a few days ahead of the real clock, where first-come booking is always open and the
3-day cancellation deadline has not passed.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from facilities import ics, rules
from facilities.models import Club, Occupancy, Reservation
from facilities.services import SlotRequest, book
from notifications.models import OutboundMail
from tests.facilities.factories import ClubFactory, UnitFactory, add_frames, gym
from tests.portal.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """The pages in English, whatever the Japanese catalogue says (signed in or not)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def day() -> date:
    return timezone.localdate() + timedelta(days=5)


@pytest.fixture
def resident(client):
    user = UserFactory(district=DistrictFactory(), language="en")
    client.force_login(user)
    return user


def text(response) -> str:
    return " ".join(response.content.decode().split())


def book_url(g, day, *frames, club=None) -> str:
    query = f"date={day.isoformat()}" + "".join(f"&frame={f.pk}" for f in frames)
    return f"/facilities/{g.facility.slug}/book/?{query}" + (f"&club={club.pk}" if club else "")


def ics_of(mail: OutboundMail) -> Calendar:
    [attachment] = mail.attachments
    return Calendar.from_ical(base64.b64decode(attachment["content_b64"]))


def uids(cal: Calendar) -> list[str]:
    return [str(event["UID"]) for event in cal.walk("VEVENT")]


# --- Public pages ------------------------------------------------------------------------


def test_search_lists_free_slots_in_the_chosen_time_of_day(client, g, day):
    book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, "夜間"), day)])
    room = UnitFactory(facility__name="中央公民館", facility__kind="community", name="和室", capacity=12)
    add_frames(room)

    response = client.get("/facilities/", {"date": day.isoformat(), "band": "evening"})
    page = text(response)
    assert response.status_code == 200
    assert "Free slots on" in page
    # The arena and 半面A are taken in the evening (半面A is booked), 半面B is free.
    assert "半面B 夜間 18:00–21:00" in page
    assert "半面A 夜間" not in page and "アリーナ全面 夜間" not in page
    assert "午前" not in page.split("Free slots on")[1]
    assert "和室 夜間" in page

    big = text(client.get("/facilities/", {"capacity": "50", "kind": "sports"}))
    assert g.facility.name in big and "中央公民館" not in big
    assert "半面A (100 people)" in big


def test_search_explains_bad_input(client, g):
    response = client.get("/facilities/", {"date": "2026-13-45", "capacity": "-3", "band": "night"})
    page = text(response)
    assert response.status_code == 400
    assert "Enter a valid date." in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert "Select a valid choice." in page


def test_day_view_shows_each_state_as_symbol_and_word(client, g, day):
    book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, "午前"), day)])
    response = client.get(f"/facilities/{g.facility.slug}/", {"date": day.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    # 半面A and the arena are booked in the morning: no tick box; 半面B is free: a tick box.
    assert f'value="{g.frame(g.half_a, "午前").pk}"' not in html
    assert f'value="{g.frame(g.arena, "午前").pk}"' not in html
    assert f'name="frame" value="{g.frame(g.half_b, "午前").pk}"' in html
    taken = html.split('<td class="slot slot--taken">')[1:]
    assert len(taken) == 2 and all("×</span> Booked" in cell.split("</td>")[0] for cell in taken)
    assert '<th scope="col">半面B' in html and '<th scope="row">午前' in html
    assert f"?date={day - timedelta(days=1):%Y-%m-%d}" in html and f"?date={day + timedelta(days=1):%Y-%m-%d}" in html


def test_day_view_of_a_past_day_and_a_closed_day(client, g):
    yesterday = timezone.localdate() - timedelta(days=1)
    assert "－</span> Past" in text(client.get(f"/facilities/{g.facility.slug}/", {"date": yesterday.isoformat()}))
    closed = timezone.localdate() + timedelta(days=6)
    g.facility.closures.create(start_date=closed, end_date=closed, reason="点検")
    page = text(client.get(f"/facilities/{g.facility.slug}/", {"date": closed.isoformat()}))
    closed_cells = page.split('<td class="slot slot--closed">')[1:]
    assert len(closed_cells) == 9 and all("休</span> Closed" in cell.split("</td>")[0] for cell in closed_cells)
    assert 'name="frame"' not in page


def test_day_view_explains_a_bad_date(client, g):
    response = client.get(f"/facilities/{g.facility.slug}/", {"date": "tomorrow"})
    assert response.status_code == 400
    assert "Enter a valid date." in text(response)
    far = client.get(f"/facilities/{g.facility.slug}/", {"date": "2999-01-01"})
    assert far.status_code == 400 and "from one year ago to two years ahead" in text(far)


def test_unknown_facility_or_unit_of_another_facility_is_404(client, g):
    other = gym()
    assert client.get("/facilities/no-such-place/").status_code == 404
    assert client.get(f"/facilities/{g.facility.slug}/units/{other.arena.pk}/").status_code == 404


def _fill_month(g, month: date, count: int) -> None:
    """``count`` reservations in ``month`` on 半面A, 半面B and two rooms, straight into the database."""
    rooms = [g.half_a, g.half_b]
    for name in ("会議室1", "会議室2"):
        room = UnitFactory(facility=g.facility, name=name)
        add_frames(room)
        rooms.append(room)
    slots = [(unit, frame, d) for d in rules.month_days(month) for unit in rooms for frame in unit.frames.all()]
    user = UserFactory()
    reservations = []
    for unit, frame, d in slots[:count]:
        start, end = frame.bounds(d)
        reservations.append(Reservation(unit=unit, frame=frame, date=d, start=start, end=end, user=user, fee=1000))
    Reservation.objects.bulk_create(reservations)
    Occupancy.objects.bulk_create(
        Occupancy(reservation=r, space=r.unit, start=r.start, end=r.end) for r in Reservation.objects.all()
    )


def test_month_calendar_costs_the_same_queries_with_0_or_300_reservations(
    client, g, django_assert_num_queries, resident
):
    month = rules.first_of_month(timezone.localdate(), -1)  # next month
    url = f"/facilities/{g.facility.slug}/units/{g.arena.pk}/?month={month:%Y-%m}"
    client.get(url)  # warm the caches the site's header uses
    with CaptureQueriesContext(connection) as empty:
        assert client.get(url).status_code == 200

    _fill_month(g, month, 300)
    assert Reservation.objects.filter(date__month=month.month).count() == 300
    with django_assert_num_queries(len(empty.captured_queries)):
        response = client.get(url)
    page = text(response)
    assert '×</span> <span class="cal-text">Fully booked' in page


def test_month_calendar_marks_days_and_links_bookable_ones(client, g, day):
    book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, "午前"), day)])
    response = client.get(f"/facilities/{g.facility.slug}/units/{g.arena.pk}/", {"month": f"{day:%Y-%m}"})
    html = response.content.decode()
    assert response.status_code == 200
    # The arena's morning is taken through 半面A: some slots free that day, and the day links to the day view.
    assert f'href="/facilities/{g.facility.slug}/?date={day.isoformat()}"' in html
    cell = html.split(f"?date={day.isoformat()}")[1].split("</td>")[0]
    assert "△" in cell and "Some slots free" in cell
    previous_month, next_month = rules.first_of_month(day, 1), rules.first_of_month(day, -1)
    assert f"?month={next_month:%Y-%m}" in html and f"?month={previous_month:%Y-%m}" in html
    fees = html.split('class="table fee-table"')[1]
    assert '<td class="amount">2,000</td>' in fees and '<td class="amount">6,000</td>' in fees  # the arena's


def test_month_calendar_explains_a_bad_month(client, g):
    response = client.get(f"/facilities/{g.facility.slug}/units/{g.arena.pk}/", {"month": "2026-13"})
    assert response.status_code == 400
    assert "Enter a valid date." in text(response)


# --- Booking -----------------------------------------------------------------------------


def test_booking_needs_sign_in_and_comes_back_to_the_chosen_slots(client, g, day):
    url = book_url(g, day, g.frame(g.half_a))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_confirm_shows_each_slot_and_the_fee_then_books(client, g, day, resident):
    morning, evening = g.frame(g.arena, "午前"), g.frame(g.arena, "夜間")
    fee = 3000 if rules.is_holiday(day) else 2000
    response = client.get(book_url(g, day, morning, evening))
    page = text(response)
    assert response.status_code == 200
    assert "午前 09:00–12:00" in page and "夜間 18:00–21:00" in page
    assert f"Total</th><td><strong>{2 * fee:,} yen" in page
    assert "Resident fee." in page
    assert not Reservation.objects.exists()

    response = client.post(
        f"/facilities/{g.facility.slug}/book/", {"date": day.isoformat(), "frame": [morning.pk, evening.pk]}
    )
    assert response.status_code == 302
    reservations = list(Reservation.objects.filter(user=resident))
    assert [r.frame for r in reservations] == [morning, evening]
    assert [r.fee for r in reservations] == [fee, fee]
    done = text(client.get(response["Location"]))
    assert f"A confirmation mail with a calendar file was sent to {resident.email}" in done
    [mail] = OutboundMail.objects.filter(to_email=resident.email)
    assert len(ics_of(mail).walk("VEVENT")) == 2


def test_confirm_shows_the_fee_for_people_from_outside_the_town(client, g, day):
    client.force_login(UserFactory(district=None, language="en"))
    page = text(client.get(book_url(g, day, g.frame(g.half_a))))
    fee = 3000 if rules.is_holiday(day) else 2000
    assert f"Total</th><td><strong>{fee:,} yen" in page
    assert "Fee for people from outside the town." in page
    assert "add your district to your profile" in page


@pytest.mark.parametrize(
    "case, message",
    [
        ("other facility", "One of the chosen time slots does not exist at this facility."),
        ("no such frame", "One of the chosen time slots does not exist at this facility."),
        ("two units", "Choose slots of one room or court at a time."),
        ("nothing", "Choose at least one free time slot."),
        ("bad date", "Enter a valid date."),
    ],
)
def test_tampered_booking_requests_are_refused_clearly(client, g, day, resident, case, message):
    other = gym()
    frames = {
        "other facility": [other.frame(other.half_a).pk],
        "no such frame": [999999],
        "two units": [g.frame(g.half_a).pk, g.frame(g.half_b, "午後").pk],
        "nothing": [],
        "bad date": [g.frame(g.half_a).pk],
    }[case]
    data = {"date": "2026-02-30" if case == "bad date" else day.isoformat(), "frame": frames}
    for response in (
        client.get(f"/facilities/{g.facility.slug}/book/", data),
        client.post(f"/facilities/{g.facility.slug}/book/", data),
    ):
        assert response.status_code == 400
        assert message in text(response)
        assert "Nothing was booked." in text(response)
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("far", ["0001-01-01", "9999-12-31"])
def test_booking_a_day_far_outside_the_calendar_is_refused_clearly(client, g, resident, far):
    data = {"date": far, "frame": [g.frame(g.half_a).pk]}
    for response in (
        client.get(f"/facilities/{g.facility.slug}/book/", data),
        client.post(f"/facilities/{g.facility.slug}/book/", data),
    ):
        assert response.status_code == 400
        assert "Choose a day from one year ago to two years ahead." in text(response)
        assert "Nothing was booked." in text(response)
    assert not Reservation.objects.exists()


def test_booking_a_far_day_is_explained_in_japanese(client, g, resident, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    resident.language = "ja"
    resident.save()
    response = client.get(
        f"/facilities/{g.facility.slug}/book/", {"date": "9999-12-31", "frame": [g.frame(g.half_a).pk]}
    )
    assert response.status_code == 400
    assert "1年前から2年先までの日付を選んでください。" in text(response)


def test_a_slot_taken_meanwhile_shows_the_reason_and_saves_nothing(client, g, day, resident):
    frame = g.frame(g.half_a)
    assert client.get(book_url(g, day, frame)).status_code == 200
    book(user=UserFactory(), unit=g.arena, slots=[SlotRequest(g.frame(g.arena), day)])  # someone else, meanwhile

    response = client.post(f"/facilities/{g.facility.slug}/book/", {"date": day.isoformat(), "frame": [frame.pk]})
    page = text(response)
    assert response.status_code == 409
    assert f"{day:%a} {day.day} {day:%b %Y} 午前 09:00–12:00 has just been booked by someone else." in page
    assert "Nothing was booked." in page
    assert 'method="post"' not in page.split("</main>")[0].split("<main")[1]
    assert not Reservation.objects.filter(user=resident).exists()


def test_over_the_daily_limit_is_explained_before_confirming(client, g, day, resident):
    book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, f), day) for f in ("午前", "午後")])
    response = client.get(book_url(g, day, g.frame(g.half_b, "夜間")))
    assert response.status_code == 409
    assert "You can book at most 2 slots on one day at this facility." in text(response)


def test_book_for_my_group_uses_the_groups_fee(client, g, day, resident):
    g.half_a.groups_only = True
    g.half_a.save()
    club = ClubFactory(representative=resident, name="みどりバレー部", member_count=10, resident_member_count=2)
    frame = g.frame(g.half_a)

    alone = text(client.get(book_url(g, day, frame)))
    assert "Only registered groups can book 半面A." in alone
    assert "My group: みどりバレー部" in alone

    as_group = client.get(book_url(g, day, frame, club=club))
    assert as_group.status_code == 200
    assert "Fee for people from outside the town." in text(as_group)  # only 20 % live in the town
    client.post(f"/facilities/{g.facility.slug}/book/", {"date": day.isoformat(), "frame": [frame.pk], "club": club.pk})
    assert Reservation.objects.get().club == club


def test_cannot_book_for_someone_elses_group(client, g, day, resident):
    club = ClubFactory()
    response = client.post(
        f"/facilities/{g.facility.slug}/book/",
        {"date": day.isoformat(), "frame": [g.frame(g.half_a).pk], "club": club.pk},
    )
    assert response.status_code == 400
    assert "You can only book for an approved group you represent." in text(response)
    assert not Reservation.objects.exists()


# --- My reservations ---------------------------------------------------------------------


def test_my_reservations_cancel_and_the_cancellation_mail_keeps_the_uid(client, g, day, resident):
    [reservation] = book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])
    page = text(client.get("/my/reservations/"))
    assert "半面A" in page and "Not paid yet: pay at the counter" in page
    assert f"/my/reservations/{reservation.pk}/cancel/" in page

    assert "Yes, cancel the booking" in text(client.get(f"/my/reservations/{reservation.pk}/cancel/"))
    response = client.post(f"/my/reservations/{reservation.pk}/cancel/")
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert "Your booking was cancelled." in text(client.get(response["Location"]))

    booked_mail, cancel_mail = OutboundMail.objects.filter(to_email=resident.email).order_by("pk")
    booked_ics, cancel_ics = ics_of(booked_mail), ics_of(cancel_mail)
    assert str(cancel_ics["METHOD"]) == "CANCEL"
    assert uids(cancel_ics) == uids(booked_ics)
    assert str(cancel_ics.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_no_cancel_button_after_the_deadline(client, g, resident):
    soon = timezone.localdate() + timedelta(days=1)
    [reservation] = book(
        user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, "夜間"), soon)], enforce_rules=False
    )
    page = text(client.get("/my/reservations/"))
    assert f"/my/reservations/{reservation.pk}/cancel/" not in page
    assert "The deadline for cancelling online has passed. Please call the facility." in page
    response = client.post(f"/my/reservations/{reservation.pk}/cancel/", follow=True)
    assert "The deadline for cancelling online has passed." in text(response)
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CONFIRMED


def test_another_residents_reservation_is_404(client, g, day, resident):
    [theirs] = book(user=UserFactory(), unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])
    for url in (f"/my/reservations/{theirs.pk}/", f"/my/reservations/{theirs.pk}/cancel/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/my/reservations/{theirs.pk}/cancel/").status_code == 404
    assert client.get(f"/my/reservations/booked/?r={theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Reservation.Status.CONFIRMED


def test_my_page_panel_shows_the_next_three(client, g, resident):
    today = timezone.localdate()
    for offset in (4, 5, 6, 7):
        book(user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), today + timedelta(days=offset))])
    panel = text(client.get("/my/")).split('id="panel-facilities"')[1].split("</section>")[0]
    assert panel.count("/my/reservations/") >= 3
    shown = [r for r in Reservation.objects.all() if f"/my/reservations/{r.pk}/" in panel]
    assert [r.date for r in shown] == [today + timedelta(days=n) for n in (4, 5, 6)]


# --- The private calendar feed -----------------------------------------------------------


def test_calendar_feed_lists_active_bookings_and_a_new_address_stops_the_old(client, g, day, resident, settings):
    settings.SITE_URL = "https://portal.example.jp"
    kept, cancelled = book(
        user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, f), day) for f in ("午前", "午後")]
    )
    cancelled.status = Reservation.Status.CANCELLED
    cancelled.save()
    page = client.get("/my/reservations/calendar/").content.decode()
    old_url = page.split('id="feed-url" value="')[1].split('"')[0]
    assert old_url.startswith(f"{settings.SITE_URL}/facilities/feed/") and old_url.endswith(".ics")

    client.logout()  # calendar apps have no session
    response = client.get(old_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == ics.uid_of(kept)
    assert event.decoded("DTSTART") == kept.start

    client.force_login(resident)
    client.post("/my/reservations/calendar/new-address/")
    new_url = client.get("/my/reservations/calendar/").content.decode().split('id="feed-url" value="')[1].split('"')[0]
    assert new_url != old_url
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert client.get("/facilities/feed/" + "x" * 43 + ".ics").status_code == 404


def test_revoking_needs_a_post(client, resident):
    assert client.get("/my/reservations/calendar/new-address/").status_code == 405


# --- Groups ------------------------------------------------------------------------------


def test_register_a_group_and_see_its_status(client, resident):
    data = {"name": "みどり卓球クラブ", "member_count": "12", "resident_member_count": "9", "purpose": "卓球の練習"}
    response = client.post("/my/reservations/groups/register/", data)
    assert response.status_code == 302
    club = Club.objects.get()
    assert (club.representative, club.status) == (resident, Club.Status.PENDING)
    page = text(client.get("/my/reservations/groups/"))
    assert "みどり卓球クラブ" in page and "Waiting for approval" in page and "12 (75% live in the town)" in page

    ClubFactory(
        representative=resident, name="却下された会", status=Club.Status.REJECTED, decision_reason="町外の営利団体"
    )
    page = text(client.get("/my/reservations/groups/"))
    assert "Rejected" in page and "町外の営利団体" in page


def test_group_registration_explains_bad_numbers(client, resident):
    data = {"name": "会", "member_count": "3", "resident_member_count": "5", "purpose": "練習"}
    response = client.post("/my/reservations/groups/register/", data)
    assert response.status_code == 200
    assert "Cannot be more than the number of members." in text(response)
    assert not Club.objects.exists()


@pytest.mark.sqlite
def test_booking_through_the_pages_on_any_database(client, g, day, resident):
    frame = g.frame(g.arena, "午後")
    client.post(f"/facilities/{g.facility.slug}/book/", {"date": day.isoformat(), "frame": [frame.pk]})
    response = client.post(
        f"/facilities/{g.facility.slug}/book/", {"date": day.isoformat(), "frame": [g.frame(g.half_b, "午後").pk]}
    )
    assert response.status_code == 409
    assert Reservation.objects.count() == 1
    assert Occupancy.objects.count() == 2
