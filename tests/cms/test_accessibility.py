"""Town pages and the header's main menu in a real browser: axe-core (WCAG 2.2 A/AA), keyboard.

Japanese on a phone, as most residents read them. axe-core is injected as an inline script,
which the portal's Content-Security-Policy forbids, so these contexts bypass the CSP.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import PHONE, assert_no_violations

pytest_plugins = ["tests.browser"]  # browser, new_context, home_page
# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made (the Wagtail root page and site, locales, staff groups).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

JA_PHONE = {"locale": "ja-JP", **PHONE}
MENU_SECTIONS = ["kurashi", "kosodate", "kenko", "news", "events"]


@pytest.fixture(autouse=True)
def _axe_installed(axe_installed):
    """Every test here needs axe-core."""


@pytest.fixture
def demo(home_page):
    """The demo town with its sections in the main menu, whatever the demo itself sets."""
    home_page.get_children().filter(slug__in=MENU_SECTIONS).update(show_in_menus=True)
    return home_page


def first_event_url() -> str:
    from cms.models import EventPage

    return EventPage.objects.live().order_by("start").first().url


@pytest.mark.parametrize("path", ["/", "/kurashi/juminhyo/", "/news/", "event", "/jumin/"])
def test_town_pages_pass_axe_on_a_phone_in_japanese(new_context, demo, path):
    if path == "event":
        path = first_event_url()
    page = new_context(bypass_csp=True, **JA_PHONE).new_page()
    response = page.goto(path)
    assert response.status == 200, path
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("nav.main-menu")).to_be_attached()
    assert_no_violations(page)


@pytest.mark.parametrize(
    "path, status",
    [
        ("/sitemap/", 200),
        ("/accessibility/", 200),
        ("/privacy/", 200),
        ("/search/?q=施設予約", 200),
        ("/facilities/", 200),
        ("/facilities/lottery/", 200),
        ("/no-such-page/", 404),
    ],
)
def test_service_footer_and_error_pages_pass_axe_on_a_phone(new_context, demo, path, status):
    """Issue 12: the pages the new service links, footer and search lead to, and the 404 page."""
    page = new_context(bypass_csp=True, **JA_PHONE).new_page()
    response = page.goto(path)
    assert response.status == status, path
    expect(page.locator("nav.service-nav")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], path
    assert_no_violations(page)


def test_town_pages_pass_axe_with_the_menu_open(new_context, demo):
    page = new_context(bypass_csp=True, **JA_PHONE).new_page()
    page.goto("/kurashi/juminhyo/")
    page.locator(".main-menu__toggle").click()
    expect(page.locator(".main-menu__list a").first).to_be_visible()
    assert_no_violations(page)


def test_mobile_menu_opens_with_the_keyboard(new_context, demo):
    page = new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
    page.goto("/kurashi/juminhyo/")
    menu = page.locator("nav.main-menu")
    toggle = menu.locator("summary")
    links = menu.locator(".main-menu__list a")
    expect(toggle).to_be_visible()
    expect(links.first).to_be_hidden()

    for _ in range(30):  # Tab through the header until the menu's toggle has focus
        page.keyboard.press("Tab")
        if toggle.evaluate("el => el === document.activeElement"):
            break
    expect(toggle).to_be_focused()
    box = toggle.bounding_box()
    assert box and box["height"] >= 44, box
    outline = toggle.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused toggle shows no focus indicator"

    page.keyboard.press("Enter")
    expect(links).to_have_count(len(MENU_SECTIONS))
    expect(links.first).to_be_visible()
    expect(links.filter(has_text="くらし・手続き")).to_have_attribute("aria-current", "true")

    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    assert links.first.bounding_box()["height"] >= 44

    toggle.focus()
    page.keyboard.press("Enter")
    expect(links.first).to_be_hidden()


def test_menu_is_shown_without_interaction_on_a_wide_screen(new_context, demo):
    page = new_context(locale="ja-JP", viewport={"width": 1024, "height": 768}).new_page()
    page.goto("/")
    menu = page.locator("nav.main-menu")
    links = menu.locator(".main-menu__list a")
    expect(menu.locator("summary")).to_be_hidden()
    expect(links).to_have_count(len(MENU_SECTIONS))
    for index in range(len(MENU_SECTIONS)):
        expect(links.nth(index)).to_be_visible()
    # A row, not a column.
    tops = {round(links.nth(index).bounding_box()["y"]) for index in range(len(MENU_SECTIONS))}
    assert len(tops) == 1, tops
    # Reachable with Tab straight away.
    links.first.focus()
    expect(links.first).to_be_focused()


def test_menu_and_search_reflow_at_320_css_pixels(new_context, demo):
    page = new_context(locale="ja-JP", viewport={"width": 320, "height": 640}).new_page()
    page.goto("/kurashi/juminhyo/")
    page.locator(".main-menu__toggle").click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{width} CSS px wide at a 320 px viewport"
