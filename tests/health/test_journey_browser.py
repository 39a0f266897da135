"""Issue 13's journey on a 375 px phone, in one browser session: a resident logs a temperature in two
taps from /my/, sees it on the chart, shares the measurements with a doctor, the doctor opens the link
signed in nowhere and sees the reading, the resident revokes the link and the doctor's reload is 404.

The parts are also tested one by one (test_measurement_browser, test_sharing_browser); this test
proves they meet: the reading the resident typed is what the doctor reads.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from health.models import ShareLink, ShareLinkView
from tests.browser import PHONE, assert_no_violations, log_in
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_375 = {**PHONE, "viewport": {"width": 375, "height": 812}}


def ja(message: str, context: str | None = None, **values) -> str:
    with translation.override("ja"):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    return text % values if values else text


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} CSS px wide on a 375 px phone"


def test_log_a_temperature_share_it_with_a_doctor_and_revoke(new_context, axe_installed):
    resident = UserFactory(email="hanako.journey@example.jp", family_name="山田", given_name="花子", language="ja")
    owner = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE_375)
    page = owner.new_page()
    log_in(page, resident.email, PASSWORD)
    owner.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)

    # Two taps: 体温を記録 on /my/, type, 記録する.
    page.goto("/my/")
    page.get_by_role("link", name=ja("Record %(type)s", type=ja("Body temperature")), exact=True).tap()
    expect(page.get_by_label(re.compile(ja("Body temperature")))).to_be_focused()
    page.keyboard.type("38.5")
    page.get_by_role("button", name=ja("Record"), exact=True).tap()

    # The chart shows it: table row and a flagged point.
    expect(page).to_have_url(re.compile(r"/my/health/(\d+)/measurements/temperature/$"))
    record_id = re.search(r"/my/health/(\d+)/", page.url).group(1)
    expect(page.get_by_role("table")).to_contain_text("38.5 ℃")
    expect(page.locator("svg.chart path.flagged")).to_have_count(1)
    assert_fits(page)

    # Share the measurements for one hour.
    page.goto(f"/my/health/{record_id}/")
    page.get_by_role("link", name=ja("Share with a doctor (link and QR code)")).click()
    page.get_by_label(ja("Measurements"), exact=True).check()
    page.get_by_label(ja("%(count)d hour") % {"count": 1}).check()
    page.get_by_role("button", name=ja("Create the share link")).click()
    expect(page.get_by_role("img", name=ja("QR code of the share link"))).to_be_visible()
    assert_fits(page)
    address = page.get_by_label(ja("Address of the link")).input_value()

    # The doctor, signed in nowhere, reads the reading.
    doctor = new_context(bypass_csp=True, locale="ja-JP", **PHONE_375).new_page()
    assert doctor.goto(address).status == 200
    expect(doctor.get_by_role("heading", level=1)).to_contain_text("山田 花子")
    expect(doctor.locator("main")).to_contain_text("38.5")
    assert_fits(doctor)
    assert_no_violations(doctor)
    assert ShareLinkView.objects.filter(outcome="shown").count() == 1

    # The resident revokes; the doctor's reload is 404 and shows nothing of the record.
    page.reload()
    page.get_by_role("button", name=ja("Revoke this link now")).click()
    assert ShareLink.objects.get().revoked_at is not None
    response = doctor.reload()
    assert response.status == 404
    expect(doctor.locator("main")).not_to_contain_text("38.5")
