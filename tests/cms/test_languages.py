"""Town pages in Japanese (at /), English (/en/) and easy Japanese (/ja-x-easy/): the URL decides the
language, a switcher links a page to its translations, search engines get hreflang alternates."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from cms.demo import publish
from cms.demo_translations import translate
from cms.models import IndexPage, StandardPage
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

EASY = "ja-x-easy"


@pytest.fixture
def site(home):  # noqa: F811
    """ごみの出し方 in Japanese and English; 印鑑登録 in Japanese only; home pages in all three languages."""
    home.title = "みどり町"
    home.save_revision().publish()
    kurashi = publish(home, IndexPage(title="くらし・手続き", slug="kurashi", show_in_menus=True))
    gomi = publish(kurashi, StandardPage(title="ごみの出し方", slug="gomi", intro="朝8時30分までに出してください。"))
    inkan = publish(kurashi, StandardPage(title="印鑑登録", slug="inkan"))
    en_home = translate(home, "en", title="Midori Town", slug="home-en")
    living = translate(kurashi, "en", title="Living and procedures", slug="living")
    garbage = translate(gomi, "en", title="Putting out garbage", slug="garbage", intro="Put it out by 8:30 a.m.")
    easy_home = translate(home, EASY, title="みどりまち", slug="home-easy")
    return {
        "home": home,
        "gomi": gomi,
        "inkan": inkan,
        "en_home": en_home,
        "living": living,
        "garbage": garbage,
        "easy_home": easy_home,
    }


def html_lang(body: str) -> str:
    return re.search(r'<html lang="([^"]+)"', body).group(1)


def switcher(body: str) -> str:
    match = re.search(r'<nav class="lang-switch[^"]*"[^>]*>.*?</nav>', body, re.S)
    assert match, "no language links"
    return match.group(0)


def test_every_content_language_has_a_wagtail_locale():
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"ja", "en", EASY}


def test_english_home_page_is_at_en_with_an_english_ui(client, site):
    response = client.get("/en/", HTTP_ACCEPT_LANGUAGE="ja")
    body = response.content.decode()
    assert response.status_code == 200
    assert html_lang(body) == "en"
    assert "<h1>Midori Town</h1>" in body
    assert "Skip to main content" in body and "本文へスキップ" not in body
    assert '<a href="/en/living/"' in body, "the main menu lists the English sections"
    assert response["Content-Language"] == "en"


def test_japanese_pages_keep_their_urls_and_stay_japanese_whatever_the_browser_asks(client, site):
    response = client.get("/kurashi/gomi/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert site["gomi"].url == "/kurashi/gomi/"
    assert html_lang(body) == "ja"
    assert "本文へスキップ" in body and "Skip to main content" not in body
    assert "Accept-Language" not in response.get("Vary", ""), "the URL alone decides: one cached copy"


def test_signed_in_resident_with_english_profile_sees_japanese_pages_in_japanese_and_my_page_in_english(client, site):
    client.force_login(UserFactory(language="en"))
    page = client.get("/kurashi/gomi/").content.decode()
    assert html_lang(page) == "ja"
    assert '<a href="/en/living/garbage/" hreflang="en" lang="en">English</a>' in page
    mine = client.get("/my/").content.decode()
    assert html_lang(mine) == "en"


def test_easy_japanese_page_says_lang_ja_and_has_a_japanese_ui(client, site):
    response = client.get("/ja-x-easy/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>みどりまち</h1>" in body
    assert html_lang(body) == "ja", "screen readers need a real language"
    assert "本文へスキップ" in body, "the UI falls back to the Japanese catalogue"


def test_translated_page_lists_its_translations_as_hreflang_alternates(client, site):
    body = client.get("/kurashi/gomi/").content.decode()
    ja, en = site["gomi"].full_url, site["garbage"].full_url
    assert en.endswith("/en/living/garbage/")
    assert f'<link rel="alternate" hreflang="ja" href="{ja}">' in body
    assert f'<link rel="alternate" hreflang="en" href="{en}">' in body
    assert f'<link rel="alternate" hreflang="x-default" href="{ja}">' in body
    assert f'hreflang="{EASY}" href=' not in body, "no easy-Japanese version of this page"
    english = client.get("/en/living/garbage/").content.decode()
    assert f'<link rel="alternate" hreflang="x-default" href="{ja}">' in english


def test_switcher_and_alternates_share_one_translations_query(client, site, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # render the page, not the cached copy
    key = str(site["gomi"].translation_key).replace("-", "")
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/kurashi/gomi/").content.decode()
    assert 'hreflang="en"' in body and "/en/living/garbage/" in switcher(body)
    lookups = [q["sql"] for q in queries if "translation_key" in q["sql"] and key in q["sql"].replace("-", "")]
    assert len(lookups) == 1, lookups


def test_untranslated_page_has_no_alternates(client, site):
    assert 'rel="alternate"' not in client.get("/kurashi/inkan/").content.decode()


def test_switcher_links_to_the_translation_or_to_that_languages_home_page(client, site):
    links = switcher(client.get("/kurashi/gomi/").content.decode())
    assert '<a href="/kurashi/gomi/" hreflang="ja" lang="ja" aria-current="true">日本語</a>' in links
    assert '<a href="/en/living/garbage/" hreflang="en" lang="en">English</a>' in links
    easy = re.search(rf'<a href="/{EASY}/" hreflang="{EASY}" lang="ja">([^<]+)</a>', links)
    assert easy and easy.group(1).startswith("やさしい日本語") and easy.group(1) != "やさしい日本語"

    links = switcher(client.get("/kurashi/inkan/").content.decode())
    assert '<a href="/en/" hreflang="en" lang="en">English (home page)</a>' in links

    links = switcher(client.get("/en/living/garbage/").content.decode())
    assert '<a href="/kurashi/gomi/" hreflang="ja" lang="ja">日本語</a>' in links
    assert 'aria-current="true">English</a>' in links
    assert "<form" not in links and "method=" not in links, "plain links: pages stay cacheable"


def test_untranslated_page_is_not_served_under_another_language(client, site):
    assert client.get("/en/kurashi/inkan/").status_code == 404
    assert client.get("/en/living/inkan/").status_code == 404
    assert client.get(f"/{EASY}/kurashi/gomi/").status_code == 404
    assert client.get("/en/living/garbage/").status_code == 200


@pytest.mark.sqlite
def test_a_language_without_a_home_page_has_no_pages_at_all(client, home):  # noqa: F811
    publish(home, StandardPage(title="ごみの出し方", slug="gomi"))
    assert client.get("/gomi/").status_code == 200
    assert client.get("/en/gomi/").status_code == 404, "not the Japanese page with an English UI"
    assert client.get("/en/").status_code == 404
    body = client.get("/gomi/").content.decode()
    assert "/en/" not in body, "the switcher offers no language without pages"


def test_other_views_keep_the_language_chosen_in_the_switcher_form(client, site):
    client.cookies["django_language"] = "en"
    body = client.get("/accounts/login/").content.decode()
    assert html_lang(body) == "en"
    assert 'action="/i18n/setlang/"' in body
    assert f'<option value="{EASY}" lang="ja">やさしい日本語</option>' in body
    assert '<a href="/en/">' in body, "the site name leads to the English home page"
    response = client.post("/i18n/setlang/", {"language": EASY, "next": "/accounts/login/"})
    assert response.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert html_lang(body) == "ja" and "ログイン" in body


def test_readings_in_brackets_are_furigana_on_easy_japanese_pages_only(client, site):
    translate(site["gomi"].get_parent(), EASY, title="くらしの てつづき")
    translate(site["gomi"], EASY, title="ごみの だしかた", intro="朝（あさ） 8時（じ）までに 出（だ）して ください。")
    easy = client.get(f"/{EASY}/kurashi/gomi/").content.decode()
    assert "<ruby>朝<rp>（</rp><rt>あさ</rt><rp>）</rp></ruby>" in easy
    site["inkan"].intro = "印鑑（いんかん）を持ってきてください。"
    site["inkan"].save_revision().publish()
    japanese = client.get("/kurashi/inkan/").content.decode()
    assert "印鑑（いんかん）" in japanese and "<ruby>" not in japanese


@pytest.mark.sqlite
def test_demo_site_has_english_and_easy_japanese_pages(client):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # again: nothing is copied twice
    english = client.get("/en/")
    assert english.status_code == 200
    body = english.content.decode()
    assert "Midori Town Portal" in body and '<a href="/en/living/garbage/">Putting out garbage</a>' in body
    garbage = client.get("/en/living/garbage/").content.decode()
    assert "Burnable garbage" in garbage and "Contact: Residents Division" in garbage
    easy = client.get(f"/{EASY}/kurashi/gomi/").content.decode()
    assert "<ruby>燃<rp>（</rp><rt>も</rt><rp>）</rp></ruby>やす ごみ" in easy
    assert client.get(f"/{EASY}/kurashi/tennyu-tenshutsu/").status_code == 200
    assert client.get("/en/jumin/").status_code == 404 and client.get("/en/residents-division/").status_code == 200


def test_sitemap_lists_the_pages_of_every_language(client, site):
    sitemap = client.get("/sitemap.xml").content.decode()
    for page in (site["gomi"], site["garbage"], site["en_home"], site["easy_home"]):
        assert f"<loc>{page.full_url}</loc>" in sitemap
