"""Share links for a doctor: who may create them, what the doctor sees, and every way a link ends
(expired, revoked, unknown, wrong passcode → the same 404). Every opening is logged for the owner."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from health.errors import HealthError
from health.models import ShareLink, ShareLinkView
from health.sharing import services
from health.sharing.views import SESSION_TOKENS
from tests.health.factories import RecordFactory
from tests.health.sharing_fixtures import NOTE_DATE
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def create(client, record, **data):
    payload = {"sections": ["test_notes"], "hours": "24", "start": "", "end": "", "passcode": "", "note": ""}
    payload.update(data)
    return client.post(reverse("portal:health_sharing", args=[record.pk]), payload)


def share_url(token: str) -> str:
    return reverse("health_share:open", args=[token])


@pytest.fixture
def link_and_token(own_record, fake_section):
    new = services.create_share_link(record=own_record, by=own_record.user, sections=["test_notes"], hours=24)
    return new.link, new.token


# --- Creating -------------------------------------------------------------------------------


def test_owner_creates_a_link_and_sees_its_qr_code(client, own_record, fake_section):
    client.force_login(own_record.user)
    page = create(client, own_record, note="みどり町クリニック", passcode="1234")
    link = ShareLink.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse(
        "portal:health_share_link", args=[own_record.pk, link.pk]
    )
    assert link.sections == ["test_notes"] and link.note == "みどり町クリニック"
    assert (
        timezone.now() + datetime.timedelta(hours=23) < link.expires_at <= timezone.now() + datetime.timedelta(hours=24)
    )
    token = client.session[SESSION_TOKENS][str(link.pk)]
    assert len(token) >= 43  # 256 bits, url-safe base64
    assert link.token_hash != token and token not in link.token_hash
    assert link.passcode_hash and "1234" not in link.passcode_hash
    detail = client.get(page["Location"]).content.decode()
    assert "<svg" in detail and 'role="img"' in detail and share_url(token) in detail


def test_guardian_shares_a_child_record(client, child_record, fake_section):
    client.force_login(child_record.member.household.owner)
    assert create(client, child_record).status_code == 302
    assert ShareLink.objects.get().record == child_record


@pytest.mark.parametrize("hours", ["73", "96", "168"])
def test_more_than_72_hours_is_refused_with_a_japanese_message(client, own_record, fake_section, hours):
    client.force_login(own_record.user)
    page = create(client, own_record, hours=hours)
    assert page.status_code == 400
    assert "共有リンクの有効期限は最長72時間です。" in page.content.decode()
    assert not ShareLink.objects.exists()


def test_the_service_refuses_more_than_72_hours_too(own_record, fake_section):
    with pytest.raises(HealthError) as refused:
        services.create_share_link(record=own_record, by=own_record.user, sections=["test_notes"], hours=73)
    assert refused.value.code == "share_too_long"
    assert not ShareLink.objects.exists()


def test_no_section_or_a_bad_range_is_refused(client, own_record, fake_section):
    client.force_login(own_record.user)
    no_section = create(client, own_record, sections=[])
    assert ja("Choose at least one kind of record to share.") in no_section.content.decode()
    page = create(client, own_record, start="2026-12-10", end="2026-12-01")
    assert page.status_code == 400 and ja("The start date must not be after the end date.") in page.content.decode()
    assert ja("A passcode has 4 to 32 characters.") in create(client, own_record, passcode="12").content.decode()
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
def test_others_cannot_create_list_or_revoke_links(client, link_and_token, who):
    link, token = link_and_token
    record = link.record
    client.force_login(UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser"))
    assert client.get(reverse("portal:health_sharing", args=[record.pk])).status_code == 404
    assert create(client, record).status_code == 404
    assert client.get(reverse("portal:health_share_link", args=[record.pk, link.pk])).status_code == 404
    assert client.post(reverse("portal:health_share_revoke", args=[record.pk, link.pk])).status_code == 404
    assert ShareLink.objects.count() == 1 and ShareLink.objects.get().revoked_at is None


def test_a_link_of_another_record_is_404_under_mine(client, link_and_token):
    link, _token = link_and_token
    mine = RecordFactory()
    client.force_login(mine.user)
    assert client.get(reverse("portal:health_share_link", args=[mine.pk, link.pk])).status_code == 404
    assert client.post(reverse("portal:health_share_revoke", args=[mine.pk, link.pk])).status_code == 404


# --- The doctor's view ----------------------------------------------------------------------


def test_the_doctor_sees_the_chosen_sections_read_only_without_an_account(client, link_and_token):
    link, token = link_and_token
    page = client.get(share_url(token))
    body = page.content.decode()
    assert page.status_code == 200
    assert link.record.display_name in body and "テストメモ" in body and "体温メモ 36.8" in body
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert "noindex" in page["X-Robots-Tag"] and '<meta name="robots" content="noindex' in body
    assert 'href="/static/health/print.css"' in body or "health/print" in body
    assert "<form" not in body.split('id="main"')[1]  # read-only: nothing to submit


def test_the_date_range_limits_the_rows(client, own_record, fake_section):
    new = services.create_share_link(
        record=own_record,
        by=own_record.user,
        sections=["test_notes"],
        hours=1,
        start=NOTE_DATE + datetime.timedelta(days=1),
    )
    body = client.get(share_url(new.token)).content.decode()
    assert "テストメモ" in body and "体温メモ" not in body


def test_birth_date_of_a_child_is_shown(client, child_record, fake_section):
    new = services.create_share_link(
        record=child_record, by=child_record.member.household.owner, sections=["test_notes"], hours=1
    )
    body = client.get(share_url(new.token)).content.decode()
    assert 'datetime="2024-05-10"' in body and "太郎" in body


def test_expired_revoked_and_unknown_links_are_404_and_show_nothing(client, link_and_token):
    link, token = link_and_token
    assert client.get(share_url("x" * 43)).status_code == 404

    link.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    link.save()
    expired = client.get(share_url(token))
    assert expired.status_code == 404 and "体温メモ" not in expired.content.decode()
    assert "no-store" in expired["Cache-Control"]

    link.expires_at = timezone.now() + datetime.timedelta(hours=1)
    link.save()
    assert client.get(share_url(token)).status_code == 200
    services.revoke_share_link(link=link)
    revoked = client.get(share_url(token))
    assert revoked.status_code == 404 and link.record.display_name not in revoked.content.decode()


def test_revoking_takes_effect_at_once(client, link_and_token):
    link, token = link_and_token
    client.force_login(link.record.user)
    assert client.get(share_url(token)).status_code == 200
    revoke = client.post(reverse("portal:health_share_revoke", args=[link.record.pk, link.pk]))
    assert revoke.status_code == 302
    assert client.get(share_url(token)).status_code == 404


def test_a_passcode_link_asks_first_and_a_wrong_passcode_is_404(client, own_record, fake_section):
    new = services.create_share_link(
        record=own_record, by=own_record.user, sections=["test_notes"], hours=1, passcode="4821"
    )
    form = client.get(share_url(new.token))
    body = form.content.decode()
    assert form.status_code == 200 and 'type="password"' in body
    assert own_record.display_name not in body and "体温メモ" not in body
    wrong = client.post(share_url(new.token), {"passcode": "0000"})
    assert wrong.status_code == 404 and "体温メモ" not in wrong.content.decode()
    right = client.post(share_url(new.token), {"passcode": "4821"})
    assert right.status_code == 200 and "体温メモ" in right.content.decode()
    outcomes = list(ShareLinkView.objects.order_by("at", "id").values_list("outcome", flat=True))
    assert outcomes == ["wrong_passcode", "shown"]


def test_wrong_passcodes_lock_the_link_even_for_the_right_one(client, own_record, fake_section):
    new = services.create_share_link(
        record=own_record, by=own_record.user, sections=["test_notes"], hours=1, passcode="4821"
    )
    for guess in range(services.MAX_WRONG_PASSCODES):
        assert client.post(share_url(new.token), {"passcode": f"{guess:04d}"}).status_code == 404
    assert client.post(share_url(new.token), {"passcode": "4821"}).status_code == 404
    assert ShareLinkView.objects.filter(outcome="locked").count() == 1
    cache.clear()  # the window ends
    assert client.post(share_url(new.token), {"passcode": "4821"}).status_code == 200


# --- The access log -------------------------------------------------------------------------


def test_every_view_is_logged_with_the_network_only_and_the_owner_sees_it(client, link_and_token):
    link, token = link_and_token
    client.get(share_url(token), REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="ClinicBrowser/1.0")
    client.get(share_url(token), REMOTE_ADDR="2001:db8:1234:5678::1")
    views = list(ShareLinkView.objects.order_by("id"))
    assert [v.outcome for v in views] == ["shown", "shown"]
    assert [v.network for v in views] == ["203.0.113.0/24", "2001:db8:1234::/48"]
    assert views[0].user_agent == "ClinicBrowser/1.0"

    client.force_login(link.record.user)
    for url in (
        reverse("portal:health_sharing", args=[link.record.pk]),
        reverse("portal:health_share_link", args=[link.record.pk, link.pk]),
    ):
        body = client.get(url).content.decode()
        assert "203.0.113.0/24" in body and "ClinicBrowser/1.0" in body and "203.0.113.77" not in body


def test_tries_on_an_ended_link_are_logged_too(client, link_and_token):
    link, token = link_and_token
    services.revoke_share_link(link=link)
    client.get(share_url(token))
    assert ShareLinkView.objects.get().outcome == "ended"


def test_old_logs_are_purged_after_a_year(link_and_token):
    link, _token = link_and_token
    old = services.log_view(link=link, outcome="shown", ip="192.0.2.1")
    ShareLinkView.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=366))
    recent = services.log_view(link=link, outcome="shown", ip="192.0.2.1")
    from health.sharing.tasks import purge_share_logs

    assert purge_share_logs.delay().get() == 1
    assert list(ShareLinkView.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_purge_runs_daily_from_beat():
    from django.conf import settings

    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "health.purge_share_logs" in tasks


def test_the_purge_task_is_registered_by_name():
    from portal.celery import app

    assert "health.purge_share_logs" in app.tasks


def test_the_doctor_view_costs_the_same_queries_whatever_the_history(client, link_and_token):
    """The link lookup and the view log (3 queries with the savepoint-free insert); the sections' own
    queries come on top, and they must be constant too (health.sections)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    link, token = link_and_token
    client.get(share_url(token))  # warm-up: the site's settings, banners
    with CaptureQueriesContext(connection) as first:
        client.get(share_url(token))
    for _ in range(20):
        services.log_view(link=link, outcome="shown", ip="192.0.2.1")
    with CaptureQueriesContext(connection) as later:
        client.get(share_url(token))
    assert len(later.captured_queries) == len(first.captured_queries) <= 6, [q["sql"] for q in later.captured_queries]


def test_deleting_the_account_deletes_its_links_and_logs(client, link_and_token):
    from health.models import RecordAccess
    from tests.health.factories import CaregiverFactory

    link, token = link_and_token
    client.get(share_url(token))
    caregiver = CaregiverFactory(record=link.record)
    client.force_login(caregiver.user)
    client.get(reverse("portal:health_record", args=[link.record.pk]))
    assert ShareLinkView.objects.exists() and RecordAccess.objects.exists()
    link.record.user.delete()
    assert not ShareLink.objects.exists() and not ShareLinkView.objects.exists()
    assert not RecordAccess.objects.exists()
    assert client.get(share_url(token)).status_code == 404
