"""Accessibility checks in a real browser: axe-core (WCAG 2.2 A/AA rules), reflow, keyboard.

axe-core comes from npm (package.json, ``npm install``). It is injected as an inline script,
which the portal's Content-Security-Policy forbids, so these contexts bypass the CSP.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser import DESKTOP, PHONE, assert_no_violations, axe_violations, label, log_in
from tests.portal.factories import PASSWORD, MemberFactory, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context, home_page
# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made (the Wagtail root page and site, locales, staff groups).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
RESIDENT_PAGES = ["/my/", "/my/household/", "/my/household/members/add/"]
# Reached from the resident's page; checked too, so a finding there is not a surprise later.
MORE_RESIDENT_PAGES = ["/my/profile/", "/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]

# Japanese on a phone (most residents), English on a desktop.
VIEWS = {
    "ja-phone": ("ja", {"locale": "ja-JP", **PHONE}),
    "en-desktop": ("en", {"locale": "en-US", **DESKTOP}),
}


@pytest.fixture(autouse=True)
def _axe_installed(axe_installed):
    """Every test here needs axe-core."""


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_pass_axe(new_context, home_page, path, view):
    language, options = VIEWS[view]
    if path == "/" and language == "en":
        path = "/en/"  # a town page's URL decides its language: the English home is at /en/
    page = new_context(bypass_csp=True, **options).new_page()
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_no_violations(page)


@pytest.mark.parametrize("view", VIEWS)
def test_resident_pages_pass_axe(new_context, view):
    language, options = VIEWS[view]
    user = UserFactory(language=language)
    # The sign-in helper reads English labels; then the cookie goes and the resident's own
    # language applies (portal.middleware.UserLanguageMiddleware).
    context = new_context(bypass_csp=True, language="en", **options)
    page = context.new_page()
    log_in(page, user.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    for path in RESIDENT_PAGES + MORE_RESIDENT_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_no_violations(page)


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"])
def test_no_horizontal_scrolling_at_320_css_pixels(new_context, home_page, path):
    """WCAG 1.4.10 Reflow: at 320 CSS px (1280 px at 400 % zoom) nothing scrolls sideways."""
    page = new_context(locale="ja-JP", viewport={"width": 320, "height": 640}).new_page()
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width} CSS px wide at a 320 px viewport"


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(new_context, home_page):
    page = new_context(language="en", **DESKTOP).new_page()
    page.goto("/en/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))


@pytest.mark.parametrize("view", VIEWS)
def test_error_messages_and_notices_pass_axe(new_context, view):
    """Forms sent back with errors, and pages showing a success message, stay accessible."""
    language, options = VIEWS[view]
    user = UserFactory(language=language)
    context = new_context(bypass_csp=True, language="en", **options)
    page = context.new_page()

    page.goto("/accounts/signup/")
    page.get_by_label(label("Email")).fill("not-an-address")
    page.get_by_label(label("Password")).fill("short")
    page.get_by_label(label("Password (again)")).fill("other")
    page.get_by_label(label("Email")).evaluate("input => input.form.noValidate = true")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_no_violations(page)

    log_in(page, user.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    page.goto("/my/household/members/add/")
    page.locator("form[method=post] button[type=submit]").last.click()
    expect(page.locator(".field--error").first).to_be_visible()
    assert_no_violations(page)

    member = MemberFactory(household__owner=user)
    page.goto(f"/my/household/members/{member.pk}/invite/")
    page.locator("input[type=email]").fill(user.email)  # inviting yourself is refused
    page.locator("form[method=post] button[type=submit]").last.click()
    expect(page.locator(".field--error")).to_be_visible()
    assert_no_violations(page)

    page.locator("input[type=email]").fill("partner@example.jp")
    page.locator("form[method=post] button[type=submit]").last.click()
    expect(page.get_by_role("status")).to_be_visible()
    assert_no_violations(page)


def test_axe_finds_a_known_problem(new_context):
    """Guards the checks above against passing because axe never ran."""
    page = new_context(bypass_csp=True).new_page()
    page.set_content('<html><body><main><img src="x.png"><input type="text"></main></body></html>')
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "html-has-lang"} <= ids


def test_resident_pages_reflow_at_320_css_pixels(new_context):
    user = UserFactory()
    member = MemberFactory(household__owner=user, family_name="長谷川", given_name="さくらこ")
    context = new_context(language="en", viewport={"width": 320, "height": 640})
    page = context.new_page()
    log_in(page, user.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    for path in [
        "/my/",
        "/my/household/",
        f"/my/household/members/{member.pk}/",
        "/my/household/members/add/",
        "/my/profile/",
    ]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} CSS px wide at a 320 px viewport"
