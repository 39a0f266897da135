"""A resident logs a temperature on a 375 px phone in two taps from /my/ and sees it on the chart.

Tap 1: 体温を記録 on the /my/ health panel; the value field has the focus, so the phone's keyboard
types straight into it. Tap 2: 記録する. The chart page shows the reading in its table and as a
point of the SVG chart (a fever: the red diamond). Pages pass axe and fit the phone's width.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from health.models import Measurement
from tests.browser import PHONE, assert_no_violations, log_in
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_375 = {**PHONE, "viewport": {"width": 375, "height": 740}}


def ja(message: str, **values) -> str:
    with translation.override("ja"):
        return translation.gettext(message) % values if values else translation.gettext(message)


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} CSS px wide on a 375 px phone"


def test_log_a_temperature_in_two_taps_and_see_it_on_the_chart(new_context, axe_installed):
    resident = UserFactory(email="hanako.health@example.jp", language="ja")
    context = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE_375)
    page = context.new_page()
    log_in(page, resident.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    page.goto("/my/")
    assert_fits(page)

    # Tap 1: the quick button on the health panel.
    with translation.override("ja"):
        label = translation.gettext("Record %(type)s") % {"type": translation.gettext("Body temperature")}
    page.get_by_role("link", name=label, exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Record %(type)s", type=ja("Body temperature")))
    value = page.get_by_label(re.compile(ja("Body temperature")))
    expect(value).to_be_focused()
    assert_fits(page)
    assert_no_violations(page)

    # Type, then tap 2: 記録する.
    page.keyboard.type("38.5")
    page.get_by_role("button", name=ja("Record"), exact=True).tap()

    # The chart page: the message, the table row, the point.
    expect(page).to_have_url(re.compile(r"/my/health/\d+/measurements/temperature/$"))
    expect(page.get_by_role("status")).to_contain_text(ja("This is a fever (37.5 ℃ or more)."))
    table = page.get_by_role("table")
    expect(table).to_contain_text("38.5 ℃")
    expect(table).to_contain_text(ja("Fever"))
    expect(page.locator("svg.chart path.flagged")).to_have_count(1)
    expect(page.locator("svg.chart")).to_contain_text(ja("Date"))
    assert_fits(page)
    assert_no_violations(page)
    m = Measurement.objects.get()
    assert (m.type, str(m.value), m.record.user_id) == ("temperature", "38.50", resident.pk)
