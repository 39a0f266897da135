"""Playwright helpers for the browser tests: Debian's chromium, never a downloaded browser.

Test modules load these fixtures with ``pytest_plugins = ["tests.browser"]``.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django would then refuse ORM
# calls there ("You cannot call this from an async context"). The tests are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# An iPhone-sized phone (iPhone 12-15): CSS pixels, touch, mobile viewport meta honoured.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@contextmanager
def _database_connections_per_thread() -> Iterator[None]:
    """Keep Django's database connections per thread while Playwright runs in this thread.

    Between calls, Playwright's sync API leaves its event loop marked as running in the test's
    thread. Django's connection handler (asgiref ``Local(thread_critical=True)``) then keeps
    connections per async context instead of per thread, so the tests would get a second
    connection, not the one the test database was set up on. That one carries what
    ``serialized_rollback`` restores; Django looks for it on the connection in use and, not
    finding it, silently restores nothing (and its flush recreates content types and locales).
    """
    from django.db import connections

    def move(source, target) -> None:
        for alias in connections:
            if hasattr(source, alias):
                setattr(target, alias, getattr(source, alias))

    own = connections._connections
    per_thread = threading.local()
    move(own, per_thread)  # the connection the test database was set up on, if it is open yet
    connections._connections = per_thread
    try:
        yield
    finally:
        move(per_thread, own)
        connections._connections = own


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with _database_connections_per_thread(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server):
    """Make browser contexts (one per person) for the live server; all closed after the test.

    ``language`` sets Django's language cookie; ``None`` leaves the site's default (ja).
    """
    contexts: list[BrowserContext] = []

    def make(*, language: str | None = None, **options) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        if language:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def home_page(db):
    """The town's Wagtail home page at /, made by the same command as on a laptop."""
    call_command("load_demo", stdout=io.StringIO())
    from cms.models import HomePage

    return HomePage.objects.get(locale__language_code=settings.LANGUAGE_CODE)  # not its translations


def label(text: str) -> re.Pattern:
    """Match a form label exactly, with or without Django's trailing colon ("Email:")."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def log_in(page: Page, email: str, password: str) -> None:
    """Sign in through allauth's form (English labels) and wait for the resident's page."""
    page.goto("/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"/my/$"))


def log_out(page: Page) -> None:
    """Use the header's sign-out link, then confirm on allauth's page."""
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name=re.compile("sign out", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))


# --- axe-core ---------------------------------------------------------------------------
# axe-core comes from npm (package.json, ``npm install``). It is injected as an inline
# script, which the portal's Content-Security-Policy forbids: contexts for it bypass the CSP.

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def axe_installed():
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm install` in the project folder")


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations;
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_no_violations(page: Page) -> None:
    expect(page.locator("main")).to_be_attached()
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {page.url}:\n{describe(violations)}"
