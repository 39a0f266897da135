"""Issue 12, must show: a new resident on a 375 px phone finds every service from the home page by
links alone and by the search box, and no page of the way scrolls sideways."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from facilities.models import Facility, Unit
from tests.browser import assert_no_violations
from tests.portal.factories import UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "locale": "ja-JP",
    "bypass_csp": True,  # axe is injected as an inline script (tests/browser.py)
}


@pytest.fixture
def demo_site(db):
    call_command("load_demo", stdout=io.StringIO())


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} CSS px wide at a 375 px viewport"


def services_nav(page: Page):
    return page.get_by_role("navigation", name="オンラインサービス", exact=True)


def signed_in(context, user, url: str) -> None:
    """Give the browser a session of ``user`` (the sign-in form itself is tested elsewhere, in English)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": url}])


def test_a_new_resident_reaches_booking_lottery_and_safety_mail_from_the_home_page(
    new_context, demo_site, axe_installed, live_server
):
    resident = UserFactory(email="new.resident.with.a.long.address@midori-town.example.jp")
    context = new_context(**PHONE_375)
    signed_in(context, resident, live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/my/")
    assert_no_sideways_scroll(page)  # /my/ with a long e-mail address
    expect(page.locator(".my-services")).to_contain_text("施設予約")

    page.goto("/")
    expect(page).to_have_title("みどり町ポータル")
    assert_no_sideways_scroll(page)
    assert_no_violations(page)
    expect(services_nav(page).get_by_role("link", name="健康記録")).to_have_count(1)
    expect(services_nav(page).get_by_role("link", name="情報公開")).to_have_count(1)  # the document catalogue

    services_nav(page).get_by_role("link", name="施設予約").click()
    page.wait_for_url(re.compile(r"/facilities/$"))
    assert_no_sideways_scroll(page)
    facility = Facility.objects.get(slug="sogo-taiikukan")
    page.get_by_role("link", name=facility.name).first.click()
    page.wait_for_url(re.compile(rf"/facilities/{facility.slug}/"))
    assert_no_sideways_scroll(page)
    unit = Unit.objects.filter(facility=facility).order_by("sort_order", "pk").first()
    page.goto(f"/facilities/{facility.slug}/units/{unit.pk}/")  # the month calendar: 「予約不可」 by phrase
    assert_no_sideways_scroll(page)
    if page.evaluate("CSS.supports('word-break', 'auto-phrase')"):
        for selector in ("h1", ".calendar", ".service-nav a"):
            style = page.evaluate(
                "s => { const e = getComputedStyle(document.querySelector(s)); return [e.wordBreak, e.overflowWrap]; }",
                selector,
            )
            assert style == ["auto-phrase", "anywhere"], (selector, style)

    page.goto("/")
    services_nav(page).get_by_role("link", name="抽選").click()
    page.wait_for_url(re.compile(r"/facilities/lottery/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)

    page.goto("/")
    page.locator(".service-tiles").get_by_role("link", name=re.compile("安全安心メール")).click()
    page.wait_for_url(re.compile(r"/my/safety/$"))
    assert_no_sideways_scroll(page)

    # The footer: the town office's contact block and the policy pages.
    page.goto("/")
    footer = page.locator("footer")
    expect(footer).to_contain_text("0123-45-6700")
    footer.get_by_role("link", name="ウェブアクセシビリティ方針").click()
    expect(page.locator("main")).to_contain_text("WCAG 2.2")
    assert_no_sideways_scroll(page)

    assert not [e for e in errors if "404" in e or "Failed to load" in e], errors


def test_searching_for_facility_booking_lands_on_the_facility_list(new_context, demo_site, axe_installed):
    page = new_context(**PHONE_375).new_page()
    page.goto("/")
    page.get_by_role("searchbox", name="サイト内検索").fill("施設予約")
    page.get_by_role("searchbox", name="サイト内検索").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert_no_sideways_scroll(page)
    assert_no_violations(page)
    box = page.locator("#search-page-q").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200, box  # a real search box, not 177×21 px
    page.locator(".search-result__title a").first.click()
    page.wait_for_url(re.compile(r"/facilities/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("施設")

    page.goto("/search/?q=体育館")
    expect(page.locator(".search-results")).to_contain_text("総合体育館")
    page.goto("/search/?q=抽選")
    expect(page.locator(".search-results")).to_contain_text("施設の抽選")
