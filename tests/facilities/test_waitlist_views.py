"""The waitlist pages: joining from the day view, "My waitlist", the offer page, and nobody else's entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from facilities import services
from facilities.models import Reservation, WaitlistEntry
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from tests.facilities.factories import gym
from tests.portal.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day() -> date:
    return timezone.localdate() + timedelta(days=5)


@pytest.fixture
def g():
    return gym()


@pytest.fixture
def holder(g, day):
    user = UserFactory(district=DistrictFactory())
    services.book(user=user, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)])
    return user


@pytest.fixture
def resident(client):
    user = UserFactory(district=DistrictFactory(), language="ja")
    client.force_login(user)
    return user


def text(response) -> str:
    return " ".join(response.content.decode().split())


def join_url(g, day, label="午前") -> str:
    return f"/facilities/{g.facility.slug}/waitlist/?date={day.isoformat()}&frame={g.frame(g.half_a, label).pk}"


def test_the_day_view_links_a_booked_slot_to_its_waitlist(client, g, holder, day):
    page = text(client.get(f"/facilities/{g.facility.slug}/?date={day.isoformat()}"))
    assert f"/facilities/{g.facility.slug}/waitlist/?date={day.isoformat()}&amp;frame={g.frame(g.half_a).pk}" in page
    assert "予約済みの枠は「キャンセル待ち」から登録できます。" in page
    # Free slots have no waitlist link: only the booked 半面A 午前 and the arena's 午前 that contains it.
    assert page.count('class="slot-wait"') == 2


def test_a_resident_joins_from_the_slot_page_and_sees_it_on_my_pages(client, g, holder, resident, day):
    page = client.get(join_url(g, day))
    assert page.status_code == 200
    assert "キャンセル待ちに登録" in text(page)
    response = client.post(
        f"/facilities/{g.facility.slug}/waitlist/", {"date": day.isoformat(), "frame": g.frame(g.half_a).pk}
    )
    assert response.status_code == 302 and response["Location"] == "/my/reservations/waitlist/"
    entry = WaitlistEntry.objects.get(user=resident)
    mine = text(client.get("/my/reservations/waitlist/"))
    assert "待機中：1番目です。" in mine
    assert f"/my/reservations/waitlist/{entry.pk}/" in mine
    assert "キャンセル待ち一覧" in text(client.get("/my/"))
    # Leave it.
    response = client.post(f"/my/reservations/waitlist/{entry.pk}/leave/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    assert "キャンセル待ちはありません" in text(client.get("/my/reservations/waitlist/"))


def test_a_free_slot_is_refused_in_japanese_and_nothing_is_saved(client, g, holder, resident, day):
    response = client.post(
        f"/facilities/{g.facility.slug}/waitlist/", {"date": day.isoformat(), "frame": g.frame(g.half_a, "午後").pk}
    )
    assert response.status_code == 409
    assert "空いています。キャンセル待ちではなく、そのまま予約してください。" in text(response)
    assert not WaitlistEntry.objects.exists()


def test_bad_input_is_a_clear_message(client, g, resident, day):
    response = client.get(f"/facilities/{g.facility.slug}/waitlist/?date=2026-13-40&frame=999999")
    assert response.status_code == 400
    assert "正しい日付を入力してください。" in text(response)
    assert "選択した枠のうち、この施設にない枠があります。" in text(response)
    assert not WaitlistEntry.objects.exists()


def test_the_offer_page_confirms_the_held_slot(client, g, holder, resident, day):
    entry = services.join_waitlist(user=resident, unit=g.half_a, frame=g.frame(g.half_a), day=day)
    services.cancel(reservation=Reservation.objects.get(user=holder), by=holder)
    [mail] = OutboundMail.objects.filter(to_email=resident.email, category="facilities_waitlist_offer")
    link = f"/my/reservations/waitlist/{entry.pk}/"
    assert link in mail.body_text
    page = text(client.get(link))
    assert "この枠をあなたのために確保しています。" in page
    # The held slot shows as booked on the day view.
    day_view = text(client.get(f"/facilities/{g.facility.slug}/?date={day.isoformat()}"))
    assert "予約済み" in day_view
    response = client.post(f"{link}confirm/")
    assert response.status_code == 302 and response["Location"].startswith("/my/reservations/booked/")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
    assert entry.reservation.status == Reservation.Status.CONFIRMED


def test_another_residents_entry_is_a_404(client, g, holder, day):
    owner = UserFactory()
    entry = services.join_waitlist(user=owner, unit=g.half_a, frame=g.frame(g.half_a), day=day)
    services.cancel(reservation=Reservation.objects.get(user=holder), by=holder)
    client.force_login(UserFactory())
    base = f"/my/reservations/waitlist/{entry.pk}/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}confirm/").status_code == 404
    assert client.post(f"{base}leave/").status_code == 404
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert base not in text(client.get("/my/reservations/waitlist/"))  # no link to the other resident's entry


def test_signing_in_is_needed_to_join(client, g, holder, day):
    response = client.get(join_url(g, day))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_waitlist_pages_are_valid_html(client, g, holder, resident, day, tmp_path):
    from tests.test_html_valid import VNU_JAR, vnu_errors

    assert VNU_JAR.exists(), "node_modules/vnu-jar is missing: npm ci (scripts/test does it)"
    second = UserFactory()
    services.book(user=second, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a, "午後"), day)])
    waiting = services.join_waitlist(user=resident, unit=g.half_a, frame=g.frame(g.half_a, "午後"), day=day)
    offered = services.join_waitlist(user=resident, unit=g.half_a, frame=g.frame(g.half_a), day=day)
    services.cancel(reservation=Reservation.objects.get(user=holder), by=holder)
    pages = {
        address: client.get(address).content.decode()
        for address in (
            f"/facilities/{g.facility.slug}/?date={day.isoformat()}",
            join_url(g, day, "午後"),
            "/my/reservations/waitlist/",
            f"/my/reservations/waitlist/{waiting.pk}/",
            f"/my/reservations/waitlist/{offered.pk}/",
            "/my/reservations/",
            f"/my/reservations/{Reservation.objects.get(user=resident).pk}/",
            "/my/",
        )
    }
    assert "この枠をあなたのために確保しています。" in pages["/my/reservations/waitlist/"]
    assert vnu_errors(pages, tmp_path) == []
