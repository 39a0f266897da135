"""The language switcher and the other-language pages in a real browser, on a phone: axe-core
(WCAG 2.2 A/AA) finds nothing, and the switcher's plain links work from the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import PHONE, assert_no_violations

pytest_plugins = ["tests.browser"]  # browser, new_context, home_page
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _axe_installed(axe_installed):
    """Every test here needs axe-core."""


@pytest.mark.parametrize(
    ("path", "lang"),
    [("/en/", "en"), ("/en/living/garbage/", "en"), ("/ja-x-easy/", "ja"), ("/ja-x-easy/kurashi/gomi/", "ja")],
)
def test_english_and_easy_japanese_pages_pass_axe_on_a_phone(new_context, home_page, path, lang):
    page = new_context(bypass_csp=True, locale="en-US", **PHONE).new_page()
    response = page.goto(path)
    assert response.status == 200, path
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_no_violations(page)


def test_switcher_takes_a_keyboard_user_to_the_same_page_in_japanese(new_context, home_page):
    page = new_context(locale="en-US", **PHONE).new_page()
    page.goto("/en/living/garbage/")
    japanese = page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語", exact=True)
    expect(japanese).to_have_attribute("hreflang", "ja")
    for _ in range(20):
        page.keyboard.press("Tab")
        if japanese.evaluate("link => link === document.activeElement"):
            break
    else:
        pytest.fail("the Japanese link is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kurashi/gomi/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ごみの出し方")
    expect(page.get_by_role("navigation", name="言語（Language）")).to_be_visible()
