"""The family's safety-mail pages on /my/safety/: mail choices, history, broadcasts, the /my/ panel.

Guardians see only their own children and watched people: another household's member is a 404.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import OutboundMail
from safety import broadcasts, selectors, services
from safety.models import Broadcast, Card, Subscription, Tap, Terminal
from tests.portal.factories import MemberFactory, UserFactory
from tests.safety.factories import CARD, WATCH_CARD, add_guardian, enrol_child, event, make_gate

pytestmark = pytest.mark.django_db


@pytest.fixture
def child():
    make_gate()
    return enrol_child(owner_language="ja")


@pytest.fixture
def watch_terminal():
    return Terminal.objects.create(name="公民館", kind=Terminal.Kind.WATCH, place="中央公民館 正面入口")


def tap(terminal, card=CARD, when=None):
    return services.ingest(terminal=terminal, events=[event(card=card, kind="in", occurred_at=when or timezone.now())])


def tap_mails(member) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(category="safety_tap", subject__contains=member.given_name))


def test_overview_shows_each_member_with_school_card_digits_and_mail_choice(client, child, grandma):
    client.force_login(child.household.owner)
    page = client.get("/my/safety/").content.decode()
    assert "みどり町立中央小学校" in page and "太郎" in page and "ハナ" in page
    assert "22DD" in page, "the card's last digits are shown"
    assert WATCH_CARD not in page
    assert f"/my/safety/members/{grandma.pk}/history/" in page


def test_mode_off_means_no_mail_and_digest_means_no_mail_per_tap(client, child):
    gate = Terminal.objects.get(kind=Terminal.Kind.GATE)
    owner = child.household.owner
    second = add_guardian(child)
    client.force_login(owner)

    tap(gate)
    assert sorted(m.to_email for m in tap_mails(child)) == sorted([owner.email, second.email])

    response = client.post(f"/my/safety/members/{child.pk}/", {"mode": "off"})
    assert response.status_code == 302
    tap(gate)
    assert sorted(m.to_email for m in tap_mails(child)) == sorted([owner.email, second.email, second.email])

    client.post(f"/my/safety/members/{child.pk}/", {"mode": "digest"})
    tap(gate)
    assert [m.to_email for m in tap_mails(child)].count(owner.email) == 1, "a digest reader gets no mail per tap"
    assert Subscription.objects.get(user=owner, member=child).mode == Subscription.Mode.DIGEST

    client.post(f"/my/safety/members/{child.pk}/", {"mode": "each"})
    tap(gate)
    assert [m.to_email for m in tap_mails(child)].count(owner.email) == 2


def test_no_activity_alert_is_offered_and_saved_only_for_a_watched_person(client, child, grandma):
    client.force_login(child.household.owner)
    assert "no_activity_alert" not in client.get(f"/my/safety/members/{child.pk}/").content.decode()
    assert "no_activity_alert" in client.get(f"/my/safety/members/{grandma.pk}/").content.decode()
    client.post(f"/my/safety/members/{grandma.pk}/", {"mode": "digest", "no_activity_alert": "on"})
    client.post(f"/my/safety/members/{child.pk}/", {"mode": "each", "no_activity_alert": "on"})
    owner = child.household.owner
    assert Subscription.objects.get(user=owner, member=grandma).no_activity_alert is True
    assert Subscription.objects.get(user=owner, member=child).no_activity_alert is False


def ja_stamp(t) -> str:
    """A time as Japanese pages show it (issue 12): 2026年12月7日(月) 14:00."""
    return f"{t.year}年{t.month}月{t.day}日({'月火水木金土日'[t.weekday()]}) {t:%H:%M}"


def test_history_lists_places_and_times_newest_first_for_30_days(client, child, grandma, watch_terminal):
    now = timezone.now()
    tap(watch_terminal, WATCH_CARD, now - timedelta(hours=2))
    tap(watch_terminal, WATCH_CARD, now - timedelta(minutes=5))
    Tap.objects.create(
        terminal=watch_terminal,
        event_id=uuid.uuid4(),
        card_hash="x",
        member=grandma,
        kind="touch",
        occurred_at=now - timedelta(days=31),
    )
    client.force_login(child.household.owner)
    page = client.get(f"/my/safety/members/{grandma.pk}/history/").content.decode()
    times = [timezone.localtime(now - timedelta(minutes=5)), timezone.localtime(now - timedelta(hours=2))]
    stamps = [ja_stamp(t) for t in times]
    assert "中央公民館 正面入口" in page
    assert page.index(stamps[0]) < page.index(stamps[1]), "newest first"
    old = timezone.localtime(now - timedelta(days=31))
    assert ja_stamp(old) not in page


def test_history_and_panel_times_are_valid_html_datetimes(client, child, grandma, watch_terminal):
    tap(watch_terminal, WATCH_CARD, timezone.now().replace(microsecond=654321) - timedelta(minutes=5))
    client.force_login(child.household.owner)
    for path in (f"/my/safety/members/{grandma.pk}/history/", "/my/"):
        values = re.findall(r'<time datetime="([^"]+)"', client.get(path).content.decode())
        assert values, path
        for value in values:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", value), (path, value)


def test_history_is_paged(client, child, watch_terminal):
    gate = Terminal.objects.get(kind=Terminal.Kind.GATE)
    now = timezone.now()
    for minutes in range(35):
        Tap.objects.create(
            terminal=gate,
            event_id=uuid.uuid4(),
            card_hash="x",
            member=child,
            kind="in",
            occurred_at=now - timedelta(minutes=minutes),
        )
    client.force_login(child.household.owner)
    first = client.get(f"/my/safety/members/{child.pk}/history/").content.decode()
    second = client.get(f"/my/safety/members/{child.pk}/history/?page=2").content.decode()
    assert first.count("<tr>") - 1 == 30 and second.count("<tr>") - 1 == 5


def test_a_shared_guardian_sees_the_history_too(client, child):
    second = add_guardian(child)
    client.force_login(second)
    assert client.get(f"/my/safety/members/{child.pk}/history/").status_code == 200


@pytest.mark.parametrize("suffix", ["", "history/"])
def test_another_households_member_is_404_on_every_url(client, child, suffix):
    stranger = UserFactory()
    MemberFactory(household__owner=stranger, given_name="次郎")
    client.force_login(stranger)
    assert client.get(f"/my/safety/members/{child.pk}/{suffix}").status_code == 404
    assert client.post(f"/my/safety/members/{child.pk}/{suffix}", {"mode": "off"}).status_code == 404
    assert not Subscription.objects.filter(member=child).exists()
    assert "太郎" not in client.get("/my/safety/").content.decode()


def test_history_and_pages_need_a_login(client, child):
    response = client.get(f"/my/safety/members/{child.pk}/history/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_broadcast_categories_can_be_chosen_and_past_messages_are_listed(client, child):
    owner = child.household.owner
    client.force_login(owner)
    page = client.get("/my/safety/broadcasts/").content.decode()
    assert len(re.findall(r'name="categories"[^>]*checked', page)) == 5, "every category is on by default"
    client.post("/my/safety/broadcasts/", {"categories": ["weather", "disaster"]})
    assert selectors.categories_for(owner) == ["weather", "disaster"]

    sent = Broadcast.objects.create(
        category="weather", title="明日は休校", body="大雨のため休校です。", target_all=True
    )
    skipped = Broadcast.objects.create(category="suspicious", title="不審な車両の目撃", body="…", target_all=True)
    for b in (sent, skipped):
        Broadcast.objects.filter(pk=b.pk).update(status=Broadcast.Status.SENDING)
        broadcasts.send(str(b.pk))
    page = client.get("/my/safety/broadcasts/").content.decode()
    assert "明日は休校" in page and "大雨のため休校です。" in page
    assert "不審な車両の目撃" not in page, "a category the resident turned off is not listed"


def test_an_english_reader_sees_the_english_version_on_my_pages(client, child):
    owner = child.household.owner
    owner.language = "en"
    owner.save(update_fields=["language"])
    b = Broadcast.objects.create(
        category="weather",
        title="明日は休校",
        body="大雨のため休校です。",
        title_en="School closed tomorrow",
        body_en="School is closed tomorrow because of heavy rain.",
        target_all=True,
        status=Broadcast.Status.SENDING,
    )
    broadcasts.send(str(b.pk))
    client.force_login(owner)
    assert "School closed tomorrow" in safety_panel(client.get("/my/").content.decode())
    page = client.get("/my/safety/broadcasts/").content.decode()
    assert "School is closed tomorrow because of heavy rain." in page and "大雨のため" not in page


def test_dashboard_panel_shows_latest_tap_and_new_broadcasts(client, child):
    gate = Terminal.objects.get(kind=Terminal.Kind.GATE)
    tap(gate)
    b = Broadcast.objects.create(
        category="event", title="運動会のお知らせ", body="…", target_all=True, status=Broadcast.Status.SENDING
    )
    broadcasts.send(str(b.pk))
    client.force_login(child.household.owner)
    panel = safety_panel(client.get("/my/").content.decode())
    assert "太郎" in panel and "正門" in panel
    assert "運動会のお知らせ" in panel
    client.get("/my/safety/broadcasts/")  # read them
    assert "運動会のお知らせ" not in safety_panel(client.get("/my/").content.decode())
    phone = Client()  # another device: read is read
    phone.force_login(child.household.owner)
    assert "運動会のお知らせ" not in safety_panel(phone.get("/my/").content.decode())
    later = Broadcast.objects.create(
        category="event", title="遠足の延期", body="…", target_all=True, status=Broadcast.Status.SENDING
    )
    broadcasts.send(str(later.pk))
    assert "遠足の延期" in safety_panel(phone.get("/my/").content.decode())


def safety_panel(page: str) -> str:
    match = re.search(r'<section class="panel" aria-labelledby="panel-safety">.*?</section>', page, re.S)
    assert match, "the safety panel is on /my/"
    return match.group(0)


def test_card_details_of_deactivated_cards_are_not_listed(client, child):
    card = Card.objects.get(member=child)
    card.label = "3456"
    card.save()
    services.deactivate_card(card=card)
    client.force_login(child.household.owner)
    assert "3456" not in client.get("/my/safety/").content.decode()
