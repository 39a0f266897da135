"""The page cache (cms.cache): anonymous visitors get kept pages, never stale after a change, never
someone else's personal page, and an emergency banner is never hidden past its start or shown past its end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch
from django.utils import timezone, translation

from cms import context_processors, snippets
from cms.cache import PageCacheMiddleware
from cms.demo import publish
from cms.models import FormField, FormPage, NewsCategory, NewsIndexPage, NewsPage, StandardPage
from cms.snippets import BANNERS_CACHE_SECONDS, EmergencyBanner
from tests.portal.factories import UserFactory
from tests.workers import ROOT, database_url

pytestmark = pytest.mark.django_db

LOGOUT_LINK = 'href="/accounts/logout/"'


@pytest.fixture
def page(home):
    return publish(home, StandardPage(title="ごみの出し方", slug="gomi", intro="収集日と分け方です。"))


def move_clock(monkeypatch, to):
    """Move "now" for the banner and the page cache alike (the cache follows the banner's clock)."""
    monkeypatch.setattr(context_processors, "_clock", lambda: to)


def banner(**fields) -> EmergencyBanner:
    return EmergencyBanner.objects.create(
        title=fields.pop("title", "大雨警報"),
        text="避難所を開設しました。",
        level=EmergencyBanner.Level.WARNING,
        **fields,
    )


@pytest.mark.sqlite
def test_a_second_anonymous_view_comes_from_the_cache_without_touching_the_database(
    client, page, django_assert_num_queries
):
    first = client.get("/gomi/")
    assert first.status_code == 200 and first["X-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = client.get("/gomi/")

    assert second["X-Cache"] == "hit"
    assert second.content == first.content and "ごみの出し方" in second.content.decode()
    # Browsers and proxies must ask again every time, so nothing in front of us delays a banner.
    assert second["Cache-Control"] == "max-age=0, must-revalidate"
    assert second["ETag"] == first["ETag"]


def test_a_browser_that_has_the_page_gets_a_304(client, page):
    etag = client.get("/gomi/")["ETag"]
    response = client.get("/gomi/", headers={"if-none-match": etag})
    assert response.status_code == 304 and response.content == b""


@pytest.mark.sqlite
def test_publishing_a_change_shows_on_the_next_view(client, page):
    assert "ごみの出し方" in client.get("/gomi/").content.decode()
    assert client.get("/gomi/")["X-Cache"] == "hit"

    page.title = "ごみの分け方と出し方"
    page.save_revision().publish()

    response = client.get("/gomi/")
    assert response["X-Cache"] == "miss"
    assert "ごみの分け方と出し方" in response.content.decode()


def test_an_unpublished_page_is_gone_at_once(client, page):
    assert client.get("/gomi/").status_code == 200
    page.unpublish()
    assert client.get("/gomi/").status_code == 404


def test_a_renamed_news_category_shows_on_the_next_view(client, home):
    news = publish(home, NewsIndexPage(title="お知らせ", slug="news"))
    category = NewsCategory.objects.create(name="くらし", slug="kurashi")
    publish(news, NewsPage(title="ごみ収集日の変更", slug="gomi", category=category))
    assert "くらし" in client.get("/news/").content.decode()

    category.name = "くらし・手続き"
    category.save()
    assert "くらし・手続き" in client.get("/news/").content.decode()


def test_a_new_banner_shows_on_the_next_view_of_a_kept_page(client, page):
    client.get("/gomi/")
    assert client.get("/gomi/")["X-Cache"] == "hit"

    banner(title="断水のお知らせ", start=timezone.now() - timedelta(seconds=1), end=timezone.now() + timedelta(hours=1))

    assert "断水のお知らせ" in client.get("/gomi/").content.decode()


def test_a_kept_page_never_shows_a_banner_after_its_end(client, page, monkeypatch):
    now = timezone.now()
    move_clock(monkeypatch, now)
    shown = banner(start=now - timedelta(minutes=5), end=now + timedelta(seconds=20))
    assert "大雨警報" in client.get("/gomi/").content.decode()

    move_clock(monkeypatch, shown.end - timedelta(seconds=1))
    still = client.get("/gomi/")
    assert still["X-Cache"] == "hit" and "大雨警報" in still.content.decode()

    move_clock(monkeypatch, shown.end)
    after = client.get("/gomi/")
    assert after["X-Cache"] == "miss"
    assert "大雨警報" not in after.content.decode()


def test_a_scheduled_banner_is_not_hidden_by_a_page_kept_before_its_start(client, page, monkeypatch):
    now = timezone.now()
    move_clock(monkeypatch, now)
    scheduled = banner(title="停電のお知らせ", start=now + timedelta(seconds=20), end=now + timedelta(hours=1))
    assert "停電のお知らせ" not in client.get("/gomi/").content.decode()
    assert client.get("/gomi/")["X-Cache"] == "hit"

    move_clock(monkeypatch, scheduled.start)
    assert "停電のお知らせ" in client.get("/gomi/").content.decode()


def test_a_page_is_kept_no_longer_than_the_setting(client, page, monkeypatch, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 30
    now = timezone.now()
    move_clock(monkeypatch, now)
    client.get("/gomi/")
    move_clock(monkeypatch, now + timedelta(seconds=29))
    assert client.get("/gomi/")["X-Cache"] == "hit"
    move_clock(monkeypatch, now + timedelta(seconds=30))
    assert client.get("/gomi/")["X-Cache"] == "miss"


def test_a_signed_in_resident_never_gets_a_kept_page_nor_leaves_one_behind(client, page):
    resident = UserFactory()
    client.force_login(resident)
    personal = client.get("/gomi/")
    assert LOGOUT_LINK in personal.content.decode()
    assert "X-Cache" not in personal
    assert "private" in personal["Cache-Control"]

    client.logout()
    anonymous = client.get("/gomi/")
    assert anonymous["X-Cache"] == "miss"
    assert LOGOUT_LINK not in anonymous.content.decode()
    assert client.get("/gomi/")["X-Cache"] == "hit"

    client.force_login(resident)
    again = client.get("/gomi/")
    assert "X-Cache" not in again and LOGOUT_LINK in again.content.decode()


def test_a_form_page_is_never_kept(client, home):
    form = publish(
        home,
        FormPage(
            title="お問い合わせ",
            slug="contact",
            staff_email="soumu@town.example.jp",
            form_fields=[FormField(label="氏名", field_type="singleline", required=True)],
        ),
    )
    for _ in range(2):
        response = client.get(form.url)
        assert response["X-Cache"] == "miss"
        assert "csrfmiddlewaretoken" in response.content.decode()
        assert "private" in response["Cache-Control"]


def test_an_unknown_query_parameter_is_served_uncached(client, page):
    client.get("/gomi/?utm_source=mail")
    response = client.get("/gomi/?utm_source=mail")
    assert "X-Cache" not in response and response.status_code == 200


def test_the_cache_is_off_with_zero_seconds(client, page, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    client.get("/gomi/")
    assert "X-Cache" not in client.get("/gomi/")


def test_the_language_is_part_of_the_key():
    """The same address in two languages is kept twice: nobody gets a page in the other language."""

    def page_view(request):
        request.resolver_match = ResolverMatch(page_view, (), {}, url_name="wagtail_serve")
        return HttpResponse(f"<p>{translation.get_language()}</p>")

    middleware = PageCacheMiddleware(page_view)
    served = {}
    for language in ("ja", "en", "ja", "en"):
        request = RequestFactory().get("/gomi/")
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = middleware(request)
        served.setdefault(language, []).append((response["X-Cache"], response.content.decode()))

    assert served["ja"] == [("miss", "<p>ja</p>"), ("hit", "<p>ja</p>")]
    assert served["en"] == [("miss", "<p>en</p>"), ("hit", "<p>en</p>")]


# --- Other processes (the Quick start's file cache) and changes no signal reported -------------


@pytest.fixture
def quickstart_cache(settings, tmp_path):
    """This process uses the Quick start's cache (no REDIS_URL): the one under PORTAL_VAR_DIR."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return tmp_path


def in_another_process(var_dir, *command: str) -> None:
    """``manage.py <command>`` as a Quick start would run it (no Redis), against this test's database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "PORTAL_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )


@pytest.mark.django_db(transaction=True)
def test_a_banner_saved_in_another_process_shows_on_the_next_view_in_the_quick_start(client, page, quickstart_cache):
    client.get("/gomi/")
    assert client.get("/gomi/")["X-Cache"] == "hit"

    in_another_process(
        quickstart_cache,
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; from cms.snippets import EmergencyBanner; "
        "EmergencyBanner.objects.create(title='断水のお知らせ', text='給水所を開設しました。', level=2, "
        "start=timezone.now() - timedelta(seconds=1), end=timezone.now() + timedelta(hours=1))",
    )

    assert "断水のお知らせ" in client.get("/gomi/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_page_published_by_publish_scheduled_in_another_process_shows_at_once_in_the_quick_start(
    client, page, quickstart_cache
):
    page.title = "ごみの出し方（12月改定）"
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(seconds=1)
    revision.save(update_fields=["approved_go_live_at"])
    client.get("/gomi/")
    kept = client.get("/gomi/")
    assert kept["X-Cache"] == "hit" and "12月改定" not in kept.content.decode()

    in_another_process(quickstart_cache, "publish_scheduled")

    assert "ごみの出し方（12月改定）" in client.get("/gomi/").content.decode()


def test_a_banner_no_signal_reported_shows_once_the_banner_list_is_read_again(client, page, monkeypatch):
    """An ``update()``/``bulk_create()`` or another program writing to the database sends no signal: the banner
    still shows when the cached banner list expires (10 s), not that plus the kept page's 60 s."""
    assert BANNERS_CACHE_SECONDS <= 10
    monkeypatch.setattr(snippets, "BANNERS_CACHE_SECONDS", 2)
    client.get("/gomi/")
    assert client.get("/gomi/")["X-Cache"] == "hit"

    now = timezone.now()
    EmergencyBanner.objects.bulk_create(
        [
            EmergencyBanner(
                title="避難指示", text="川沿いの方は避難を。", level=1, start=now, end=now + timedelta(hours=1)
            )
        ]
    )
    time.sleep(2.2)  # the banner list's lifetime (2 s here)

    assert "避難指示" in client.get("/gomi/").content.decode()
    again = client.get("/gomi/")
    assert again["X-Cache"] == "hit", "an unchanged banner list keeps the pages kept with it"
