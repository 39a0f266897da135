"""Every page a visitor or a resident reaches by links from the home page, in Chromium on a phone:
no console error, no failed request for the page's own files, and no axe violation (WCAG 2.2 AA).

The pages are found the way tests/test_html_valid.py finds them (tests/crawl.py), on the demo town.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from portal.models import User
from tests.browser import PHONE, axe_violations, describe
from tests.crawl import crawl

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def visit_all(context, base_url: str, addresses: list[str]) -> list[str]:
    """Open each address; return what went wrong, page by page."""
    problems: list[str] = []
    page = context.new_page()
    current = {"address": ""}
    page.on("console", lambda m: m.type == "error" and problems.append(f"{current['address']}: console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{current['address']}: script error: {e}"))
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and r.url.startswith(base_url)
            and problems.append(f"{current['address']}: {r.status} for {r.url}")
        ),
    )
    for address in addresses:
        current["address"] = address
        page.goto(address)
        violations = axe_violations(page)
        if violations:
            problems.append(f"{address}: axe:\n{describe(violations)}")
    return problems


def test_every_page_reached_from_the_home_page_is_clean_in_a_browser(new_context, axe_installed, live_server):
    call_command("load_demo", stdout=io.StringIO())
    visitor = sorted(crawl(Client(), ["/", "/search/?q=体育館"]))
    resident_user = User.objects.get(email="resident@example.jp")
    client = Client()
    client.force_login(resident_user)
    resident = sorted(crawl(client, ["/my/", "/search/?q=施設予約"]))
    assert len(visitor) > 30 and len(resident) > 30

    options = {**PHONE, "bypass_csp": True}  # axe is injected as an inline script
    anonymous = new_context(**options)
    problems = visit_all(anonymous, live_server.url, visitor)

    signed_in = new_context(**options)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    signed_in.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    problems += visit_all(signed_in, live_server.url, resident)

    assert problems == [], f"{len(problems)} problem(s) on {len(visitor)} + {len(resident)} pages:\n" + "\n".join(
        problems[:30]
    )
