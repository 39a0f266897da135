"""Watch-over mail: the daily digest, the no-activity alert and the retention purge."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from notifications.models import OutboundMail
from portal.models import MemberGuardian
from safety import services, tasks, watch_over
from safety.models import (
    MailText,
    SeenSignature,
    Subscription,
    Tap,
    Terminal,
    WatchedPerson,
)
from tests.portal.factories import HouseholdFactory, MemberFactory, UserFactory
from tests.safety.factories import add_watched_person

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

TOKYO = ZoneInfo("Asia/Tokyo")
DAY = date(2025, 6, 10)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


@pytest.fixture
def hana_and_family():
    """ハナ, a watched person with a card; her son (owner, Japanese) and granddaughter (English) follow her."""
    son = UserFactory(language="ja", email="son@example.jp")
    person = add_watched_person(
        household=HouseholdFactory(owner=son), card_id="0102030405060708", no_activity_hours=3, given_by="ハナ"
    )
    granddaughter = UserFactory(language="en", email="mei@example.jp")
    MemberGuardian.objects.create(member=person, user=granddaughter, invited_by=son)
    card = person.cards.get()
    return {"person": person, "son": son, "granddaughter": granddaughter, "card": card}


@pytest.fixture
def terminals():
    return {
        "hall": Terminal.objects.create(name="公民館", kind=Terminal.Kind.WATCH, place="中央公民館"),
        "station": Terminal.objects.create(name="駅", kind=Terminal.Kind.WATCH, place="みどり駅"),
    }


def tap(member, terminal, when: datetime) -> Tap:
    return Tap.objects.create(
        terminal=terminal,
        event_id=uuid.uuid4(),
        card_hash="x" * 64,
        member=member,
        kind=Tap.Kind.TOUCH,
        occurred_at=when,
        received_at=when,
    )


def mails(category: str) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(category=category).order_by("to_email"))


# --- Digest -------------------------------------------------------------------------------
def test_digest_lists_places_and_times_once_per_subscriber_per_day(hana_and_family, terminals):
    person = hana_and_family["person"]
    for user in (hana_and_family["son"], hana_and_family["granddaughter"]):
        services.set_subscription(user=user, member=person, mode=Subscription.Mode.DIGEST)
    tap(person, terminals["hall"], at(9, 15))
    tap(person, terminals["station"], at(14, 40))
    tap(person, terminals["station"], at(20, 5, DAY - timedelta(days=1)))  # last evening, after the last digest
    tap(person, terminals["hall"], at(17, 0, DAY - timedelta(days=1)))  # in yesterday's digest, not today's
    tap(person, terminals["hall"], at(19, 30))  # after today's digest: tomorrow's

    run = watch_over.send_daily_digests(day=DAY)

    assert run.queued == 2
    son_mail, mei_mail = sorted(mails("safety_digest"), key=lambda m: m.to_email != "son@example.jp")
    assert son_mail.to_email == "son@example.jp"
    assert "ハナ" in son_mail.subject
    assert "09:15 中央公民館" in son_mail.body_text
    assert "14:40 みどり駅" in son_mail.body_text
    assert "6月9日 20:05 みどり駅" in son_mail.body_text
    assert "17:00" not in son_mail.body_text and "19:30" not in son_mail.body_text
    assert son_mail.body_text.index("20:05") < son_mail.body_text.index("09:15") < son_mail.body_text.index("14:40")
    assert mei_mail.language == "en" and "Where ハナ touched a card on 10 June" in mei_mail.body_text
    assert son_mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    again = tasks.send_watch_digests.delay(DAY.isoformat())  # beat fires twice, a worker retries…
    assert again.get() == 0
    assert len(mails("safety_digest")) == 2


def test_watch_over_mails_carry_the_one_click_unsubscribe_link_in_the_body(hana_and_family, terminals):
    person = hana_and_family["person"]
    for user in (hana_and_family["son"], hana_and_family["granddaughter"]):
        services.set_subscription(user=user, member=person, mode=Subscription.Mode.DIGEST)
    tap(person, terminals["hall"], at(9, 15))
    watch_over.send_daily_digests(day=DAY)

    son_mail, mei_mail = sorted(mails("safety_digest"), key=lambda m: m.to_email != "son@example.jp")
    son_link = son_mail.headers["List-Unsubscribe"].strip("<>")
    assert f"ハナさんについてのメールをワンクリックで停止：{son_link}" in son_mail.body_text
    mei_link = mei_mail.headers["List-Unsubscribe"].strip("<>")
    assert f"Stop mails about ハナ with one click: {mei_link}" in mei_mail.body_text
    assert son_link != mei_link, "each recipient's own link"


def test_digest_only_for_daily_summary_subscribers_and_staff_wording(hana_and_family, terminals):
    person = hana_and_family["person"]
    services.set_subscription(user=hana_and_family["son"], member=person, mode=Subscription.Mode.DIGEST)
    services.set_subscription(user=hana_and_family["granddaughter"], member=person, mode=Subscription.Mode.EACH)
    MailText.objects.create(
        key=MailText.Key.DIGEST, language="ja", subject="{name}さんの{date}の記録", body="{name}さん:\n{places}"
    )
    tap(person, terminals["hall"], at(10, 0))

    watch_over.send_daily_digests(day=DAY)

    (mail,) = mails("safety_digest")
    assert mail.to_email == "son@example.jp"
    assert mail.subject == "ハナさんの6月10日の記録"
    assert mail.body_text.startswith("ハナさん:\n・10:00 中央公民館")


def test_a_day_without_touches_is_news_for_a_watched_person_but_not_for_a_pupil(hana_and_family):
    from safety.models import School, Student

    person = hana_and_family["person"]
    services.set_subscription(user=hana_and_family["son"], member=person, mode=Subscription.Mode.DIGEST)
    child = MemberFactory(household=person.household, given_name="太郎")
    Student.objects.create(member=child, school=School.objects.create(name="みどり小"), grade=2)
    services.set_subscription(user=hana_and_family["son"], member=child, mode=Subscription.Mode.DIGEST)

    watch_over.send_daily_digests(day=DAY)

    (mail,) = mails("safety_digest")
    assert "ハナ" in mail.subject
    assert "太郎" not in mail.subject


# --- No-activity alert ---------------------------------------------------------------------
@pytest.fixture
def alerting(hana_and_family):
    services.set_subscription(
        user=hana_and_family["son"],
        member=hana_and_family["person"],
        mode=Subscription.Mode.EACH,
        no_activity_alert=True,
    )
    return hana_and_family


def test_alert_after_n_daytime_hours_without_a_touch(alerting, terminals):
    person = alerting["person"]
    tap(person, terminals["hall"], at(9, 0))

    assert watch_over.send_no_activity_alerts(now=at(11, 50)).queued == 0  # 2h50 since the touch
    assert mails("safety_no_activity") == []

    assert watch_over.send_no_activity_alerts(now=at(12, 0)).queued == 1
    (mail,) = mails("safety_no_activity")
    assert mail.to_email == "son@example.jp"  # the granddaughter did not ask for the alert
    assert "ハナ" in mail.subject and "3" in mail.subject
    assert "6月10日 09:00" in mail.body_text
    assert WatchedPerson.objects.get(member=person).last_alerted_at is not None


def test_alert_is_sent_once_a_day(alerting):
    assert watch_over.send_no_activity_alerts(now=at(11, 0)).queued == 1
    assert watch_over.send_no_activity_alerts(now=at(11, 30)).queued == 0
    assert watch_over.send_no_activity_alerts(now=at(19, 30)).queued == 0
    assert len(mails("safety_no_activity")) == 1

    assert watch_over.send_no_activity_alerts(now=at(11, 0, DAY + timedelta(days=1))).queued == 1
    assert len(mails("safety_no_activity")) == 2


def test_night_hours_do_not_count_and_no_alert_is_sent_at_night(alerting, terminals):
    person = alerting["person"]
    tap(person, terminals["station"], at(19, 0, DAY - timedelta(days=1)))  # last touch yesterday evening

    assert watch_over.send_no_activity_alerts(now=at(6, 0)).queued == 0  # 11 hours, but at night
    assert watch_over.send_no_activity_alerts(now=at(22, 0, DAY - timedelta(days=1))).queued == 0
    assert watch_over.send_no_activity_alerts(now=at(10, 30)).queued == 0  # only 2h30 of daytime today
    assert watch_over.send_no_activity_alerts(now=at(11, 0)).queued == 1


def test_a_touch_resets_the_count_and_no_alert_without_hours_or_asking(alerting, terminals, hana_and_family):
    person = alerting["person"]
    tap(person, terminals["hall"], at(10, 0))
    assert watch_over.send_no_activity_alerts(now=at(12, 59)).queued == 0

    WatchedPerson.objects.filter(member=person).update(no_activity_hours=None)
    assert watch_over.send_no_activity_alerts(now=at(19, 0)).queued == 0

    WatchedPerson.objects.filter(member=person).update(no_activity_hours=3)
    services.set_subscription(
        user=hana_and_family["son"], member=person, mode=Subscription.Mode.OFF, no_activity_alert=True
    )
    assert watch_over.send_no_activity_alerts(now=at(19, 0)).queued == 0
    assert mails("safety_no_activity") == []


def test_daytime_hours_rule():
    assert watch_over.daytime_hours_without_touch(None, at(8, 0)) == 0
    assert watch_over.daytime_hours_without_touch(None, at(10, 30)) == 2.5
    assert watch_over.daytime_hours_without_touch(at(9, 0), at(10, 30)) == 1.5
    assert watch_over.daytime_hours_without_touch(at(7, 0), at(10, 0)) == 2
    assert watch_over.daytime_hours_without_touch(None, at(20, 0)) == 0
    assert watch_over.daytime_hours_without_touch(None, at(3, 0)) == 0


# --- Retention -----------------------------------------------------------------------------
def test_retention_purge_deletes_only_old_taps_and_old_signatures(hana_and_family, terminals):
    from django.utils import timezone

    now = timezone.now()
    days = settings.SAFETY_RETENTION_DAYS
    old = tap(hana_and_family["person"], terminals["hall"], now - timedelta(days=days, minutes=1))
    kept = tap(hana_and_family["person"], terminals["hall"], now - timedelta(days=days - 1))
    fresh = tap(hana_and_family["person"], terminals["station"], now - timedelta(hours=1))
    SeenSignature.objects.create(signature="a" * 64, seen_at=now - timedelta(days=2))
    SeenSignature.objects.create(signature="b" * 64, seen_at=now - timedelta(seconds=30))

    assert tasks.purge_old_taps.delay().get() == 1

    assert set(Tap.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert not Tap.objects.filter(pk=old.pk).exists()
    assert list(SeenSignature.objects.values_list("signature", flat=True)) == ["b" * 64]
    assert tasks.purge_old_taps.delay().get() == 0


def test_beat_runs_the_watch_over_tasks():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    digest = schedule["notifications.send_watch_digests"]
    assert digest.hour == {19} and digest.minute == {0}
    assert schedule["notifications.send_no_activity_alerts"] == timedelta(minutes=30)
    assert "notifications.purge_old_taps" in schedule
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"
