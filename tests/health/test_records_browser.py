"""On a 375 px phone, in Japanese: add an illness to one's health log and upload a check-up PDF; a text
file is refused with a clear message. The pages fit the screen and pass axe."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from playwright.sync_api import Page, expect

from health.models import CheckupFile, Condition
from tests.browser import PHONE, assert_no_violations, log_in
from tests.health.factories import RecordFactory
from tests.health.test_checkup_files import PDF
from tests.portal.factories import PASSWORD

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SMALL_PHONE = {**PHONE, "viewport": {"width": 375, "height": 740}}


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} CSS px wide"


def test_add_a_condition_and_upload_a_checkup_on_a_phone(new_context, axe_installed, live_server, tmp_path, settings):
    settings.HEALTH_FILES_ROOT = tmp_path  # the live server runs in this process; restored after the test
    record = RecordFactory()
    context = new_context(bypass_csp=True, language="en", locale="ja-JP", **SMALL_PHONE)
    page = context.new_page()
    log_in(page, record.user.email, PASSWORD)
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}])

    page.goto(f"/my/health/{record.pk}/")
    page.get_by_role("link", name=ja("Medical history"), exact=True).click()
    page.get_by_role("link", name=ja("Add an illness or condition")).click()
    fits(page)
    assert_no_violations(page)
    page.get_by_label(ja("condition")).fill("ぜんそく")
    page.get_by_label(ja("onset date")).fill("2020-04-01")
    page.get_by_role("button", name=ja("Save")).click()
    expect(page.get_by_role("heading", name="ぜんそく")).to_be_visible()
    fits(page)
    assert_no_violations(page)
    assert Condition.objects.get(record=record).name == "ぜんそく"

    page.goto(f"/my/health/{record.pk}/checkups/add/")
    page.get_by_label(ja("title")).fill("町の健診 2026")
    page.locator("input[type=file]").set_input_files(
        {"name": "memo.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}
    )
    page.get_by_role("button", name=ja("Save")).click()
    expect(page.get_by_role("alert")).to_contain_text("このファイルは使えません")
    assert_no_violations(page)
    assert not CheckupFile.objects.exists()

    page.get_by_label(ja("title")).fill("町の健診 2026")
    page.locator("input[type=file]").set_input_files(
        {"name": "kenshin.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=ja("Save")).click()
    expect(page.get_by_role("heading", name="町の健診 2026")).to_be_visible()
    fits(page)
    entry = CheckupFile.objects.get(record=record)
    response = page.request.get(f"/my/health/{record.pk}/checkups/{entry.pk}/file/")
    assert response.status == 200 and response.body() == PDF
