"""A resident on a phone files a disclosure request, answers a correction, and every page passes axe."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from disclosure import services
from disclosure.models import Request, Status
from tests.browser import PHONE, assert_no_violations, log_in
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def label(text: str) -> re.Pattern:
    """A Japanese form label, with or without its trailing colon (「住所：」)."""
    return re.compile(rf"^\s*{re.escape(text)}[:：]?\s*$")


def test_file_a_request_and_answer_a_correction_on_a_phone(new_context, axe_installed):
    resident = UserFactory(family_name="山田", given_name="花子")
    clerk = UserFactory(is_staff=True)
    context = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE)
    page = context.new_page()
    log_in(page, resident.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)

    page.goto("/my/disclosure/new/")
    assert_no_violations(page)
    page.get_by_label(label("住所又は事務所の所在地")).fill("みどり町本町1-2-3")
    page.get_by_label(label("公文書の名称又は内容")).fill("令和7年度 町道改良工事の設計書")
    page.get_by_label("写しの交付").check()
    page.get_by_role("button", name="請求する").click()

    filed = Request.objects.get()
    expect(page.get_by_text(f"受付番号は {filed.number} です")).to_be_visible()
    expect(page.get_by_role("heading", name="決定期限の計算")).to_be_visible()
    assert_no_violations(page)

    services.ask_correction(request=filed, by=clerk, body="対象期間を教えてください。")
    page.reload()
    expect(page.get_by_text("対象期間を教えてください。")).to_be_visible()
    page.get_by_label(label("メッセージ")).fill("令和7年4月から9月まで")
    assert_no_violations(page)
    page.get_by_role("button", name="送信する").click()
    expect(page.get_by_text("メッセージを送りました。")).to_be_visible()
    filed.refresh_from_db()
    assert filed.status == Status.RECEIVED and filed.due_date is not None

    page.goto("/my/disclosure/")
    expect(page.get_by_role("link", name=filed.number)).to_be_visible()
    assert_no_violations(page)
    page.goto("/my/")
    expect(page.get_by_role("link", name=re.compile(filed.number))).to_be_visible()
