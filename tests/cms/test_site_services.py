"""Issue 12: the town's online services reachable from every page, the footer's contact block and
links, clean titles, favicon, the 404 and 500 pages, and readable search snippets."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Engine
from django.utils import timezone

from cms.demo import DEMO_SERVICES, publish
from cms.models import SiteMapPage, StandardPage, TownSettings
from cms.navigation import service_links, target_exists
from cms.search import search_page
from cms.search_index import rebuild_index
from cms.snippets import EmergencyBanner
from cms.templatetags.cms_tags import wbr

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _services(*items):
    town = TownSettings.load()
    town.services = [
        (
            "service",
            {"label": label, "path": path, "description": "", "in_header": True, "in_footer": True, "on_home": True},
        )
        for label, path in items
    ]
    town.save()
    return town


def _nav(html: str, css_class: str) -> str:
    found = re.search(rf'<(nav|ul) class="[^"]*{css_class}[^"]*"[^>]*>(.*?)</(nav|ul)>', html, re.S)
    return found.group(2) if found else ""


def test_a_service_link_shows_only_while_its_address_exists(client, home):
    _services(*[(label, path) for label, path, _d in DEMO_SERVICES], ("窓口予約", "/madoguchi/"))

    header = _nav(client.get("/").content.decode(), "service-nav__list")

    assert '<a href="/facilities/">施設予約</a>' in header
    assert '<a href="/facilities/lottery/">抽選</a>' in header
    assert '<a href="/my/safety/">安全安心メール</a>' in header
    assert '<a href="/my/health/">健康記録</a>' in header
    assert '<a href="/disclosure/">情報公開</a>' in header
    assert "窓口予約" not in header  # no such service yet

    # 窓口予約 appears the day a live page is at its address.
    publish(home, StandardPage(title="窓口予約", slug="madoguchi"))
    header = _nav(client.get("/search/").content.decode(), "service-nav__list")
    assert '<a href="/madoguchi/">窓口予約</a>' in header


def test_target_exists_rules():
    assert target_exists("/facilities/")
    assert target_exists("/my/safety/")
    assert target_exists("/my/health/")
    assert target_exists("/disclosure/")
    assert not target_exists("/madoguchi/")
    assert not target_exists("https://example.com/")
    assert not target_exists("//example.com/")


def test_services_are_on_the_home_page_footer_and_my_page(client, home):
    from tests.portal.factories import UserFactory

    _services(("施設予約", "/facilities/"), ("抽選", "/facilities/lottery/"), ("窓口予約", "/madoguchi/"))
    page = client.get("/").content.decode()
    assert '<span class="service-tiles__label">施設予約</span>' in page
    assert '<a href="/facilities/lottery/">抽選</a>' in _nav(page, "footer-services")
    assert "窓口予約" not in page

    client.force_login(UserFactory())
    my = client.get("/my/").content.decode()
    assert '<span class="service-tiles__label">抽選</span>' in my
    assert 'href="/facilities/lottery/"' in my and 'href="/my/reservations/lottery/"' in my


def test_service_links_follow_a_settings_change_without_a_restart(client, home):
    _services(("施設予約", "/facilities/"))
    assert [link.label for link in service_links(None)] == ["施設予約"]
    assert "抽選" not in _nav(client.get("/").content.decode(), "service-nav__list")
    _services(("施設予約", "/facilities/"), ("抽選", "/facilities/lottery/"))
    assert '<a href="/facilities/lottery/">抽選</a>' in _nav(client.get("/").content.decode(), "service-nav__list")


def test_facility_list_links_the_lottery(client):
    assert 'href="/facilities/lottery/"' in client.get("/facilities/").content.decode()


def test_home_page_title_is_the_site_name_once(client, home):
    home.title = settings.WAGTAIL_SITE_NAME
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip() == settings.WAGTAIL_SITE_NAME
    other = publish(home, StandardPage(title="ごみの出し方", slug="gomi"))
    html = client.get(other.url).content.decode()
    assert f"<title>ごみの出し方 | {settings.WAGTAIL_SITE_NAME}</title>" in html


def test_footer_has_the_contact_block_and_the_pages_staff_chose(client, home):
    privacy = publish(home, StandardPage(title="個人情報の取り扱い", slug="privacy"))
    accessibility = publish(home, StandardPage(title="ウェブアクセシビリティ方針", slug="accessibility"))
    sitemap = publish(home, SiteMapPage(title="サイトマップ", slug="sitemap"))
    town = TownSettings.load()
    town.office_name = "みどり町役場"
    town.address = "みどり町本町1-1"
    town.phone = "0123-45-6700"
    town.email = "info@town.example.jp"
    town.opening_hours = "平日 8:30〜17:15"
    town.privacy_page, town.accessibility_page, town.sitemap_page = privacy, accessibility, sitemap
    town.save()

    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', client.get("/").content.decode(), re.S).group(1)

    for text in ("みどり町役場", "みどり町本町1-1", "0123-45-6700", "平日 8:30〜17:15", "info@town.example.jp"):
        assert text in footer
    assert 'href="tel:0123456700"' in footer
    assert '<a href="/privacy/">個人情報の取り扱い</a>' in footer
    assert '<a href="/accessibility/">ウェブアクセシビリティ方針</a>' in footer
    assert '<a href="/sitemap/">サイトマップ</a>' in footer
    assert "emblem.svg" in footer


def test_site_map_page_lists_the_public_pages(client, home):
    kurashi = publish(home, StandardPage(title="くらし", slug="kurashi"))
    sitemap = publish(home, SiteMapPage(title="サイトマップ", slug="sitemap"))
    html = client.get(sitemap.url).content.decode()
    assert f'<a href="{kurashi.url}">くらし</a>' in html


def test_favicon_and_emblem_are_shipped_and_linked(client, home):
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/portal/favicon.svg"' in html
    for name in ("favicon.svg", "favicon.ico", "emblem.svg"):
        assert (ROOT / "portal" / "static" / "portal" / name).stat().st_size > 0
    assert client.get("/favicon.ico").status_code in (301, 302)


def test_404_keeps_the_emergency_banner_and_has_a_styled_search_form(client, home):
    EmergencyBanner.objects.create(
        title="大雨警報",
        text="避難所を開設しました",
        level=EmergencyBanner.Level.EMERGENCY,
        end=timezone.now() + timezone.timedelta(hours=1),
    )
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "大雨警報" in html
    assert '<span class="search-page-form__row">' in html


def test_500_page_renders_without_a_database_or_context_processors():
    template = Engine(dirs=[str(ROOT / "portal" / "templates")]).get_template("500.html")
    html = template.render(Context({}))
    assert "ただいま表示できません" in html and 'lang="ja"' in html
    assert "{%" not in (ROOT / "portal" / "templates" / "500.html").read_text(encoding="utf-8")


def test_search_results_page_has_the_styled_form(client, home):
    html = client.get("/search/?q=x").content.decode()
    assert '<span class="search-page-form__row">' in html
    assert 'class="search-page-form"' in html


def test_snippets_keep_table_cells_apart(home):
    table = "<table><tr><th>受付時間</th><td>8:30〜17:15</td></tr></table>"
    publish(home, StandardPage(title="窓口案内", slug="madoguchi", body=[("paragraph", table)]))
    _page, results = search_page("受付時間")
    assert "受付時間</mark> 8:30" in results[0].snippet


def test_wbr_lets_an_email_address_wrap_at_its_parts():
    assert str(wbr("taro.yamada@example.jp")) == "taro<wbr>.yamada@<wbr>example<wbr>.jp"
    assert "&lt;b&gt;" in str(wbr("<b>@x"))


def test_load_demo_fills_the_town_settings_and_pages(client, db):
    call_command("load_demo", stdout=io.StringIO())
    town = TownSettings.load()
    assert [block.value["label"] for block in town.services] == [label for label, _p, _d in DEMO_SERVICES]
    assert town.privacy_page and town.accessibility_page and town.sitemap_page and town.phone
    assert "WCAG 2.2" in client.get(town.accessibility_page.url).content.decode()
    html = client.get("/").content.decode()
    header = _nav(html, "service-nav__list")
    assert "施設予約" in header and "抽選" in header and "安全安心メール" in header and "健康記録" in header
    assert '<a href="/disclosure/">情報公開</a>' in header  # the public document catalogue
    call_command("load_demo", stdout=io.StringIO())  # safe to run again
    assert len(TownSettings.load().services) == len(DEMO_SERVICES)
    rebuild_index()


def test_web_staff_may_edit_the_town_settings():
    from django.contrib.auth.models import Group

    from portal.staff import WEB

    codenames = set(Group.objects.get(name=WEB).permissions.values_list("codename", flat=True))
    assert {"change_townsettings", "view_townsettings"} <= codenames


def test_stylesheets_break_japanese_by_phrase_with_a_fallback():
    css = (ROOT / "portal" / "static" / "portal" / "portal.css").read_text(encoding="utf-8")
    rule = re.search(r"h1, h2, h3[^{]*\{([^}]*)\}", css)
    assert rule and ".tiles a" in rule.group(0) and ".calendar" in rule.group(0)
    assert "word-break: auto-phrase" in rule.group(1) and "overflow-wrap: anywhere" in rule.group(1)
    calendar = (ROOT / "facilities" / "static" / "facilities" / "facilities.css").read_text(encoding="utf-8")
    assert re.search(r"\.cal-text, \.cal-holiday \{[^}]*word-break: auto-phrase;[^}]*overflow-wrap: anywhere", calendar)
