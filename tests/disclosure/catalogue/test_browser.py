"""The catalogue on a phone: search without JavaScript-only controls, facets, a closed document's
page, all passing axe and without sideways scrolling at 320 CSS pixels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from disclosure.catalogue.demo import load_catalogue_demo
from tests.browser import PHONE, assert_no_violations

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_resident_searches_the_catalogue_on_a_phone(new_context, home_page, axe_installed):
    load_catalogue_demo()
    page = new_context(bypass_csp=True, locale="ja-JP", **PHONE).new_page()
    page.goto("/disclosure/")
    expect(page.get_by_role("heading", level=1)).to_have_text("公開文書目録")
    main = page.locator("#main")
    main.get_by_label("キーワード").fill("ｺﾞﾐ")  # half-width kana finds ごみ
    main.get_by_role("button", name="検索").click()
    page.wait_for_url(re.compile(r"q="))
    expect(main.get_by_role("status")).to_have_text("1件の文書が見つかりました。")
    expect(page.locator(".search-result mark").first).to_have_text("ごみ")
    assert_no_violations(page)
    page.set_viewport_size({"width": 320, "height": 700})
    assert no_sideways_scroll(page)

    page.goto("/disclosure/")
    page.get_by_role("link", name=re.compile("非公開")).click()  # the category facet
    page.get_by_role("link", name="職員の人事評価結果").click()
    expect(page.get_by_text("公文書開示請求")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"\.(pdf|docx|xlsx|txt)$"))).to_have_count(0)
    assert_no_violations(page)
    assert no_sideways_scroll(page)
