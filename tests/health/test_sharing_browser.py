"""Sharing a health log with a doctor on a 375 px phone: real browser, live server.

The resident creates a share link, a doctor opens it in a browser with no account and sees the
record, the resident revokes it, and the doctor's reload gets 404. Expected words come from the
catalogue through gettext, so the test holds whatever the Japanese wording.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from health.models import ShareLink, ShareLinkView
from tests.browser import PHONE, assert_no_violations, log_in
from tests.health.factories import RecordFactory
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_375 = {**PHONE, "viewport": {"width": 375, "height": 812}}


def ja(message: str, context: str | None = None) -> str:
    with translation.override("ja"):
        return translation.pgettext(context, message) if context else translation.gettext(message)


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_375["viewport"]["width"], f"{page.url} is {width} CSS px wide on a 375 px phone"


def test_share_open_logged_out_revoke_and_see_404_on_a_phone(new_context, axe_installed, fake_section):
    resident = UserFactory(email="hanako@example.jp", family_name="山田", given_name="花子", language="ja")
    record = RecordFactory(user=resident)

    owner = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE_375)
    page = owner.new_page()
    log_in(page, resident.email, PASSWORD)
    owner.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)

    # --- From the record, create a link for one hour --------------------------------------
    page.goto(f"/my/health/{record.pk}/")
    page.get_by_role("link", name=ja("Share with a doctor (link and QR code)")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("山田 花子")
    assert_fits_the_phone(page)
    assert_no_violations(page)
    page.get_by_label("テストメモ").check()
    page.get_by_label(ja("%(count)d hour") % {"count": 1}).check()
    page.get_by_role("button", name=ja("Create the share link")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Share link"))
    expect(page.get_by_role("img", name=ja("QR code of the share link"))).to_be_visible()
    assert_fits_the_phone(page)
    assert_no_violations(page)
    address = page.get_by_label(ja("Address of the link")).input_value()
    assert re.search(r"/health-share/[A-Za-z0-9_-]{43,}/$", address)

    # --- The doctor opens it on another phone, signed in nowhere ---------------------------
    doctor = new_context(bypass_csp=True, locale="ja-JP", **PHONE_375).new_page()
    response = doctor.goto(address)
    assert response.status == 200
    expect(doctor.get_by_role("heading", level=1)).to_contain_text("山田 花子")
    expect(doctor.get_by_role("heading", name="テストメモ")).to_be_visible()
    expect(doctor.locator("main")).to_contain_text("体温メモ 36.8")
    assert_fits_the_phone(doctor)
    assert_no_violations(doctor)
    assert ShareLinkView.objects.filter(outcome="shown").count() == 1

    # --- The resident sees the opening and revokes the link --------------------------------
    page.reload()
    expect(page.get_by_role("table")).to_contain_text(ja("Opened", "health sharing"))
    page.get_by_role("button", name=ja("Revoke this link now")).click()
    expect(page.get_by_role("status")).to_contain_text(ja("The share link was revoked. Nobody can open it any more."))
    assert ShareLink.objects.get().revoked_at is not None

    # --- The doctor's reload now gets 404 and nothing of the record -------------------------
    response = doctor.reload()
    assert response.status == 404
    expect(doctor.get_by_role("heading", level=1)).to_have_text(ja("This link cannot be opened"))
    expect(doctor.locator("main")).not_to_contain_text("体温メモ")

    # --- The other pages of the record on the same phone: summary and caregivers -------------
    for address in (f"/my/health/{record.pk}/summary/", f"/my/health/{record.pk}/caregivers/"):
        page.goto(address)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_fits_the_phone(page)
        assert_no_violations(page)
