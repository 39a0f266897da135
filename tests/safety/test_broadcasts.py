"""Staff safety broadcasts (安全安心メール): exactly the targeted subscribers, once each, on time."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from notifications.models import OutboundMail
from portal.models import District, MemberGuardian
from portal.staff import SAFETY, WEB
from safety import broadcasts, selectors, services, tasks
from safety.models import Broadcast, BroadcastPreference, School, Student
from tests.portal.factories import DistrictFactory, MemberFactory, UserFactory
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    """Two schools, two districts and their families.

    - midori_g3: guardian of a grade-3 pupil at みどり小 (lives in 本町)
    - midori_g5: guardian of a grade-5 pupil at みどり小, plus a second guardian sharing the child
    - sakura_g3: guardian of a grade-3 pupil at さくら小 (lives in 栄町)
    - honcho: a resident of 本町 without children
    - nobody: a resident of no district without children
    """
    midori = School.objects.create(name="みどり小学校")
    sakura = School.objects.create(name="さくら小学校")
    honcho_d = DistrictFactory(code="HON", name="本町")
    sakae_d = DistrictFactory(code="SAK", name="栄町")

    def parent(school, grade, district=None):
        user = UserFactory(district=district)
        child = MemberFactory(household__owner=user)
        Student.objects.create(member=child, school=school, grade=grade)
        return user, child

    midori_g3, _c = parent(midori, 3, honcho_d)
    midori_g5, child5 = parent(midori, 5)
    shared = UserFactory()
    MemberGuardian.objects.create(member=child5, user=shared, invited_by=midori_g5)
    sakura_g3, _c = parent(sakura, 3, sakae_d)
    return {
        "midori": midori,
        "sakura": sakura,
        "honcho_district": honcho_d,
        "sakae_district": sakae_d,
        "midori_g3": midori_g3,
        "midori_g5": midori_g5,
        "midori_g5_shared": shared,
        "sakura_g3": sakura_g3,
        "honcho": UserFactory(district=honcho_d),
        "nobody": UserFactory(),
    }


def make(category="suspicious", *, all=False, schools=(), grades=(), districts=(), **kwargs) -> Broadcast:
    b = Broadcast.objects.create(
        category=category,
        title="不審者情報",
        body="本日15時ごろ、みどり小学校付近で不審な人物が目撃されました。",
        target_all=all,
        target_grades=list(grades),
        **kwargs,
    )
    b.target_schools.set(schools)
    b.target_districts.set(districts)
    return b


def names(town, users) -> set[str]:
    by_pk = {u.pk: key for key, u in town.items() if hasattr(u, "email")}
    return {by_pk[u.pk] for u in users}


def mailed(broadcast) -> set[int]:
    return set(OutboundMail.objects.filter(category=f"broadcast:{broadcast.pk}").values_list("recipient_id", flat=True))


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ({"all": True}, {"midori_g3", "midori_g5", "midori_g5_shared", "sakura_g3", "honcho", "nobody"}),
        ({"schools": ["midori"]}, {"midori_g3", "midori_g5", "midori_g5_shared"}),
        ({"grades": [3]}, {"midori_g3", "sakura_g3"}),
        ({"schools": ["midori"], "grades": [5]}, {"midori_g5", "midori_g5_shared"}),
        ({"districts": ["honcho_district"]}, {"midori_g3", "honcho"}),
        ({"schools": ["sakura"], "districts": ["honcho_district"]}, {"sakura_g3", "midori_g3", "honcho"}),
        ({"schools": ["midori"], "grades": [4]}, set()),
    ],
)
def test_broadcast_reaches_exactly_the_targeted_residents(town, target, expected):
    b = make(
        all=target.get("all", False),
        schools=[town[s] for s in target.get("schools", [])],
        grades=target.get("grades", []),
        districts=[town[d] for d in target.get("districts", [])],
        status=Broadcast.Status.SENDING,
    )
    assert names(town, selectors.recipients(b)) == expected
    broadcasts.send(str(b.pk))
    assert mailed(b) == {town[k].pk for k in expected}
    b.refresh_from_db()
    assert b.status == Broadcast.Status.SENT and b.recipient_count == len(expected)


@pytest.mark.sqlite
def test_resident_who_unchecked_the_category_gets_nothing_of_it(town):
    services.set_broadcast_categories(user=town["midori_g3"], categories=["weather", "disaster"])
    suspicious = make("suspicious", schools=[town["midori"]], status=Broadcast.Status.SENDING)
    weather = make("weather", schools=[town["midori"]], status=Broadcast.Status.SENDING)
    broadcasts.send(str(suspicious.pk))
    broadcasts.send(str(weather.pk))
    assert town["midori_g3"].pk not in mailed(suspicious)
    assert town["midori_g5"].pk in mailed(suspicious)
    assert town["midori_g3"].pk in mailed(weather)


def test_preview_counts_and_renders_but_changes_nothing(town):
    b = make(schools=[town["midori"]])
    result = selectors.preview(b)
    assert result.recipient_count == 3
    [ja] = result.languages  # nobody in the audience reads English and there is no English version
    assert (ja.language, ja.recipient_count) == ("ja", 3)
    assert "不審な人物" in ja.body_text and "不審者情報" in ja.subject
    assert not OutboundMail.objects.exists()
    b.refresh_from_db()
    assert b.status == Broadcast.Status.DRAFT


ENGLISH = {"title_en": "Suspicious person", "body_en": "A suspicious person was seen near Midori School at 15:00."}


def test_english_readers_get_the_english_version_and_the_preview_shows_both(town, django_capture_on_commit_callbacks):
    for key in ("midori_g5", "midori_g5_shared"):
        town[key].language = "en"
        town[key].save(update_fields=["language"])
    b = make(schools=[town["midori"]], **ENGLISH)

    ja, en = selectors.preview(b).languages
    assert (ja.recipient_count, en.recipient_count) == (1, 2)
    assert "不審な人物" in ja.body_text and "Stop mails of this category" not in ja.body_text
    assert en.subject == "[Suspicious person] Suspicious person"
    assert "A suspicious person was seen" in en.body_text and "不審な人物" not in en.body_text

    Broadcast.objects.filter(pk=b.pk).update(status=Broadcast.Status.SENDING)
    broadcasts.send(str(b.pk))
    by_address = {m.to_email: m for m in OutboundMail.objects.filter(category=f"broadcast:{b.pk}")}
    assert "A suspicious person was seen" in by_address[town["midori_g5"].email].body_text
    assert "不審な人物" in by_address[town["midori_g3"].email].body_text


def test_without_an_english_version_english_readers_get_the_japanese_message(town):
    town["midori_g3"].language = "en"
    town["midori_g3"].save(update_fields=["language"])
    b = make(schools=[town["midori"]])
    ja, en = selectors.preview(b).languages
    assert en.recipient_count == 1
    assert "不審な人物" in en.body_text and "Stop mails of this category" in en.body_text


def test_english_title_without_english_message_is_refused_in_the_admin(client, town):
    mfa_staff(client, SAFETY)
    response = client.post(
        "/admin/safety/broadcasts/new/",
        {
            "category": "weather",
            "title": "休校",
            "body": "明日は休校です。",
            "title_en": "School closed",
            "target_all": "on",
        },
    )
    assert response.status_code == 200
    with translation.override("ja"):  # the staff member's language
        assert gettext("Write both the English title and the English message, or neither.") in response.content.decode()
    assert not Broadcast.objects.exists()


def test_sending_twice_sends_nothing_twice(town, django_capture_on_commit_callbacks):
    b = make(all=True, status=Broadcast.Status.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        first = broadcasts.send(str(b.pk))
    Broadcast.objects.filter(pk=b.pk).update(status=Broadcast.Status.SENDING)  # as if a retried task ran again
    second = broadcasts.send(str(b.pk))
    assert first == 6 and second == 0
    assert OutboundMail.objects.filter(category=f"broadcast:{b.pk}").count() == 6
    assert broadcasts.send(str(b.pk)) == 0, "a sent broadcast is not sent again"


def test_a_draft_is_never_sent(town):
    b = make(all=True)
    assert broadcasts.send(str(b.pk)) == 0
    assert not OutboundMail.objects.exists()


def test_scheduled_broadcast_is_sent_by_beat_only_after_send_at(town):
    b = make(all=True)
    services.schedule_broadcast(broadcast=b, send_at=timezone.now() + timedelta(minutes=10))
    tasks.send_due_broadcasts()
    assert not OutboundMail.objects.exists()
    Broadcast.objects.filter(pk=b.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    tasks.send_due_broadcasts()
    b.refresh_from_db()
    assert b.status == Broadcast.Status.SENT
    assert len(mailed(b)) == 6


def test_mails_are_delivered_with_one_click_unsubscribe_that_turns_the_category_off(
    town, mailoutbox, django_capture_on_commit_callbacks
):
    b = make(schools=[town["sakura"]], status=Broadcast.Status.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts.send(str(b.pk))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [town["sakura_g3"].email]
    assert "/my/safety/broadcasts/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = re.sub(r"^https?://[^/]+", "", url)
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    prefs = BroadcastPreference.objects.get(user=town["sakura_g3"]).categories
    assert "suspicious" not in prefs and "weather" in prefs
    again = make(schools=[town["sakura"]], status=Broadcast.Status.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        broadcasts.send(str(again.pk))
    assert len(mailoutbox) == 1, "no more mails of the category they unsubscribed from"


def test_progress_counts_come_from_the_outbox(town):
    b = make(all=True, status=Broadcast.Status.SENDING)
    broadcasts.send(str(b.pk))
    mails = OutboundMail.objects.filter(category=f"broadcast:{b.pk}").order_by("pk")
    ids = list(mails.values_list("pk", flat=True))
    OutboundMail.objects.filter(pk__in=ids[:3]).update(status=OutboundMail.Status.SENT)
    OutboundMail.objects.filter(pk=ids[3]).update(status=OutboundMail.Status.FAILED, last_error="550 no such user")
    OutboundMail.objects.filter(pk__in=ids[4:]).update(status=OutboundMail.Status.QUEUED)
    p = selectors.progress(b)
    assert (p.total, p.sent, p.failed, p.queued, p.finished) == (6, 3, 1, 2, False)
    assert [m.last_error for m in selectors.failed_mails(b)] == ["550 no such user"]


# --- The admin ----------------------------------------------------------------------------
def test_staff_write_preview_and_send_in_the_admin(client, town, mailoutbox, django_capture_on_commit_callbacks):
    mfa_staff(client, SAFETY)
    response = client.post(
        "/admin/safety/broadcasts/new/",
        {
            "category": "weather",
            "title": "休校のお知らせ",
            "body": "大雨警報のため、明日は休校です。",
            "target_schools": [town["midori"].pk],
            "target_grades": ["5"],
        },
    )
    b = Broadcast.objects.get(title="休校のお知らせ")
    assert response.status_code == 302 and response["Location"].endswith(f"/{b.pk}/preview/")
    preview = client.get(f"/admin/safety/broadcasts/{b.pk}/preview/").content.decode()
    assert "2" in preview and "大雨警報のため" in preview
    assert not mailoutbox and not OutboundMail.objects.exists(), "the preview sends nothing"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/safety/broadcasts/{b.pk}/preview/", {"action": "send"})
    assert response.status_code == 302 and response["Location"].endswith(f"/{b.pk}/progress/")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([town["midori_g5"].email, town["midori_g5_shared"].email])
    progress = client.get(f"/admin/safety/broadcasts/{b.pk}/progress/").content.decode()
    assert re.search(r'<progress[^>]*max="2"[^>]*value="2"', progress)
    assert 'http-equiv="refresh"' not in progress, "a finished broadcast stops refreshing"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/safety/broadcasts/{b.pk}/preview/", {"action": "send"})
    assert len(mailoutbox) == 2, "a second click sends nothing"


def test_progress_page_refreshes_itself_while_mails_are_queued(client, town):
    mfa_staff(client, SAFETY)
    b = make(all=True, status=Broadcast.Status.SENDING)
    broadcasts.send(str(b.pk))
    total = OutboundMail.objects.filter(category=f"broadcast:{b.pk}").update(status=OutboundMail.Status.QUEUED)
    assert total == 7  # the town's six residents and the staff member
    page = client.get(f"/admin/safety/broadcasts/{b.pk}/progress/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert re.search(r'<progress[^>]*max="7"[^>]*value="0"', page)


def test_scheduling_in_the_admin_needs_a_future_time(client, town):
    mfa_staff(client, SAFETY)
    b = make(all=True)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/admin/safety/broadcasts/{b.pk}/preview/", {"action": "schedule", "send_at": past})
    assert response.status_code == 200
    b.refresh_from_db()
    assert b.status == Broadcast.Status.DRAFT
    future = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/admin/safety/broadcasts/{b.pk}/preview/", {"action": "schedule", "send_at": future})
    b.refresh_from_db()
    assert b.status == Broadcast.Status.SCHEDULED and b.send_at > timezone.now()
    assert not OutboundMail.objects.exists()


def test_other_staff_groups_cannot_send_broadcasts(client, town):
    mfa_staff(client, WEB)
    b = make(all=True)
    assert client.get(f"/admin/safety/broadcasts/{b.pk}/preview/").status_code in (302, 403)
    client.post(f"/admin/safety/broadcasts/{b.pk}/preview/", {"action": "send"})
    assert not OutboundMail.objects.exists()
    assert District.objects.exists()
