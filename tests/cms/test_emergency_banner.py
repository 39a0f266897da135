"""The emergency banner (緊急情報): shown above the header on every page while active, never after its end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cms import context_processors
from cms.cache import forget_all_pages
from cms.snippets import BANNERS_CACHE_KEY, EmergencyBanner
from portal.staff import FACILITIES, WEB
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/snippets/cms/emergencybanner/add/"


def banner(**overrides):
    now = timezone.now()
    fields = {
        "title": "大雨警報",
        "text": "避難所を開設しました。",
        "level": EmergencyBanner.Level.WARNING,
        "start": now - timedelta(minutes=5),
        "end": now + timedelta(hours=1),
    }
    fields.update(overrides)
    return EmergencyBanner(**fields)


def banners_in(response) -> str:
    """What the page shows between the skip link and the site header."""
    assert response.status_code == 200
    body = response.content.decode()
    after_skip_link = body.index("</a>", body.index('class="skip-link"'))
    return body[after_skip_link : body.index('<header class="site-header">')]


def test_an_active_banner_shows_above_the_header_on_every_page(client, home):
    banner(link_url="https://example.jp/bousai/", link_text="避難所一覧").save()

    for url in ["/", "/accounts/login/"]:
        top = banners_in(client.get(url))
        assert 'class="emergency-banner emergency-banner--warning" role="region"' in top, url
        assert "大雨警報" in top and "避難所を開設しました。" in top
        assert '<a href="https://example.jp/bousai/">避難所一覧</a>' in top

    client.force_login(UserFactory())
    top = banners_in(client.get("/my/"))
    assert "大雨警報" in top


def test_the_level_is_written_out_and_the_most_severe_comes_first(client, home):
    banner(title="お知らせ", level=EmergencyBanner.Level.NOTICE).save()
    banner(title="避難指示", level=EmergencyBanner.Level.EMERGENCY).save()
    with translation.override("en"):
        # Not a town page, whose URL would decide its language (cms.languages): the browser's language counts here.
        top = banners_in(client.get("/accounts/login/", headers={"accept-language": "en"}))
    assert top.index("避難指示") < top.index("お知らせ")
    assert "[Emergency]" in top and "[Notice]" in top, "the level is text, not colour alone"
    assert 'aria-label="Emergency information: 避難指示"' in top
    assert "<a " not in top, "no link without a link URL"


def test_a_banner_whose_end_has_passed_does_not_show(client, home):
    now = timezone.now()
    banner(title="終了した警報", start=now - timedelta(hours=2), end=now - timedelta(seconds=1)).save()
    banner(title="これからの警報", start=now + timedelta(hours=1), end=now + timedelta(hours=2)).save()
    top = banners_in(client.get("/"))
    assert "emergency-banner" not in top


def test_a_cached_banner_disappears_at_its_end_without_any_save(client, home, monkeypatch):
    shown = banner()
    shown.save()
    assert "大雨警報" in banners_in(client.get("/"))
    assert cache.get(BANNERS_CACHE_KEY) == [shown], "the list is cached"

    # Move the end to the past without a signal: the cached list still holds the old end,
    # so move the clock past that too and check the banner goes while the cache still holds it.
    EmergencyBanner.objects.filter(pk=shown.pk).update(end=timezone.now() - timedelta(seconds=1))
    after_end = shown.end + timedelta(seconds=1)
    monkeypatch.setattr(context_processors, "_clock", lambda: after_end)
    assert cache.get(BANNERS_CACHE_KEY) == [shown]
    assert "大雨警報" not in banners_in(client.get("/"))

    # And once the cache expires (at most 30 s), the database agrees.
    monkeypatch.undo()
    cache.delete(BANNERS_CACHE_KEY)
    forget_all_pages()  # the page kept while the clock was moved ahead would outlive the move back
    assert "大雨警報" not in banners_in(client.get("/"))
    assert cache.get(BANNERS_CACHE_KEY) == []


def test_a_saved_banner_shows_on_the_next_request_despite_the_cache(client, home):
    assert "emergency-banner" not in banners_in(client.get("/"))
    assert cache.get(BANNERS_CACHE_KEY) == [], "the empty list is cached"

    shown = banner(title="断水のお知らせ")
    shown.save()
    assert "断水のお知らせ" in banners_in(client.get("/"))

    shown.delete()
    assert "断水のお知らせ" not in banners_in(client.get("/"))


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": "あ" * 31}, "title", "max_length"),
        ({"text": "い" * 101}, "text", "max_length"),
        ({"end": timezone.now() - timedelta(days=1)}, "end", None),
        ({"link_text": "詳しくはこちら"}, "link_url", None),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message_and_nothing_is_saved(overrides, field, code):
    with pytest.raises(ValidationError) as caught:
        banner(**overrides).full_clean()
    errors = caught.value.error_dict
    assert list(errors) == [field]
    if code:
        assert errors[field][0].code == code
    assert EmergencyBanner.objects.count() == 0


def test_a_31_character_title_gets_djangos_max_length_message():
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            banner(title="あ" * 31).full_clean()
        assert caught.value.message_dict == {"title": ["Ensure this value has at most 30 characters (it has 31)."]}
    assert EmergencyBanner.objects.count() == 0


def test_the_end_must_be_after_the_start():
    now = timezone.now()
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            banner(start=now + timedelta(hours=2), end=now + timedelta(hours=1)).full_clean()
        assert caught.value.message_dict == {"end": ["The end must be after the start."]}
    assert EmergencyBanner.objects.count() == 0
    banner(start=now, end=now + timedelta(minutes=1)).full_clean()


def test_staff_publish_a_banner_from_the_wagtail_admin(client, home, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "emergency-banner" not in banners_in(client.get("/"))
    now = timezone.localtime()
    form = {
        "level": EmergencyBanner.Level.EMERGENCY,
        "title": "避難指示",
        "text": "川沿いの方は直ちに避難してください。",
        "link_url": "",
        "link_text": "",
        "start": (now - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"),
        "end": (now - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M"),
    }

    response = client.post(ADD_URL, form)
    assert response.status_code == 200, "the form is shown again with the error"
    assert EmergencyBanner.objects.count() == 0

    form["end"] = (now + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M")
    response = client.post(ADD_URL, form)
    assert response.status_code == 302
    assert EmergencyBanner.objects.get().title == "避難指示"
    assert "避難指示" in banners_in(client.get("/"))
    admin = client.get("/admin/snippets/cms/emergencybanner/")
    assert admin.status_code == 200 and 'class="emergency-banner' not in admin.content.decode()


def banner_form(title: str) -> dict[str, str]:
    now = timezone.localtime()
    return {
        "level": EmergencyBanner.Level.WARNING,
        "title": title,
        "text": "避難所を開設しました。",
        "link_url": "",
        "link_text": "",
        "start": (now + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "end": (now + timedelta(hours=6)).strftime("%Y-%m-%d %H:%M"),
    }


def staff_member_of(client, group_name: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


def test_a_web_staff_member_adds_schedules_edits_and_removes_a_banner(client, home, settings):
    """広報 post emergency banners themselves: before, only a superuser could."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    staff_member_of(client, WEB)

    assert client.get(ADD_URL).status_code == 200
    response = client.post(ADD_URL, banner_form("大雨警報（予定）"))
    assert response.status_code == 302
    scheduled = EmergencyBanner.objects.get()
    assert scheduled.start > timezone.now(), "scheduled for later"

    edit_url = f"/admin/snippets/cms/emergencybanner/edit/{scheduled.pk}/"
    assert client.get(edit_url).status_code == 200
    form = banner_form("大雨警報")
    form["start"] = (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    assert client.post(edit_url, form).status_code == 302
    client.logout()
    assert "大雨警報" in banners_in(client.get("/"))

    staff_member_of(client, WEB)
    delete_url = f"/admin/snippets/cms/emergencybanner/delete/{scheduled.pk}/"
    assert client.post(delete_url).status_code == 302
    assert not EmergencyBanner.objects.exists()


@pytest.mark.parametrize("who", ["resident", FACILITIES])
def test_residents_and_other_staff_cannot_add_a_banner(client, home, settings, who):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    if who == "resident":
        client.force_login(UserFactory())
    else:
        staff_member_of(client, who)

    assert client.get(ADD_URL).status_code != 200
    client.post(ADD_URL, banner_form("いたずら"))
    assert not EmergencyBanner.objects.exists()


def test_the_not_found_page_keeps_the_banner(client, home):
    banner(title="避難指示").save()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="emergency-banner emergency-banner--warning"' in body and "避難指示" in body
