"""The editorial workflow in the real Wagtail admin, in a real browser.

A 子育て支援課 editor writes a news item and submits it to 広報; they cannot open another
department's page; a 広報 approver approves it from the dashboard; residents then see it on the
home page, the news index and in the RSS feed.

The admin runs in English (language cookie): Wagtail's Japanese catalogue is incomplete, and the
button labels are what this test follows.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from portal.staff import APPROVAL_WORKFLOW, WEB
from tests.browser import DESKTOP, log_in
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made (the Wagtail root page and site, locales, staff groups, the workflow).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "子育て講座のお知らせ"
SUMMARY = "12月の子育て講座の参加者を募集します。"


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    # Staff normally need a second factor before /admin/ (tests/portal/test_staff_groups.py covers
    # it). It is switched off here so this test is about the workflow; the live server runs
    # in this process, so the override reaches it.
    settings.PORTAL_STAFF_MFA_REQUIRED = False


def staff(email: str, group_name: str):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def open_admin(new_context, email: str) -> Page:
    page = new_context(language="en", **DESKTOP).new_page()
    log_in(page, email, PASSWORD)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


@pytest.fixture
def town(home):
    """The home page with two departments, the news index and the 子育て支援課 editors' group."""
    from cms.demo import publish
    from cms.models import DepartmentPage, NewsIndexPage, NewsPage
    from cms.services import create_department_editors

    publish(home, DepartmentPage(title="住民課", slug="jumin"))
    kosodate = publish(home, DepartmentPage(title="子育て支援課", slug="kosodate-shien"))
    news = publish(home, NewsIndexPage(title="お知らせ", slug="news"))
    publish(news, NewsPage(title="年末年始のごみ収集日のお知らせ", slug="gomi"))
    create_department_editors(kosodate)
    return home


def test_department_news_is_approved_by_koho_and_reaches_residents(new_context, town):
    from cms.models import DepartmentPage, NewsIndexPage, NewsPage

    news_index = NewsIndexPage.objects.get()
    other_department = DepartmentPage.objects.get(slug="jumin")
    staff("kosodate.writer@example.jp", "子育て支援課 編集者")
    staff("koho.approver@example.jp", WEB)

    # --- The department's editor writes the news and submits it --------------------------
    editor = open_admin(new_context, "kosodate.writer@example.jp")
    editor.goto(f"/admin/pages/{news_index.pk}/")
    editor.get_by_role("link", name=re.compile(r"^Add child page")).first.click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text("News")
    editor.get_by_role("textbox", name=re.compile(r"^Title")).fill(TITLE)
    editor.get_by_role("textbox", name=re.compile(r"^Summary")).fill(SUMMARY)
    editor.get_by_role("button", name="More actions").click()
    submit = editor.get_by_role("button", name=f"Submit to {APPROVAL_WORKFLOW}")
    expect(submit).to_be_visible()
    expect(editor.get_by_role("button", name="Publish")).to_have_count(0)  # editors do not publish
    submit.click()
    expect(editor.get_by_role("status").filter(has_text="submitted for moderation")).to_be_visible()
    news = NewsPage.objects.get(title=TITLE)
    assert not news.live

    # --- … and cannot open another department's page ---------------------------------------
    editor.goto(f"/admin/pages/{other_department.pk}/edit/")
    expect(editor).to_have_url(re.compile(r"/admin/$"))
    expect(editor.get_by_role("status").filter(has_text="do not have permission")).to_be_visible()

    anonymous = new_context(language="en", **DESKTOP).new_page()
    anonymous.goto("/")
    expect(anonymous.get_by_role("main")).not_to_contain_text(TITLE)

    # --- 広報 approve it from the dashboard ------------------------------------------------
    approver = open_admin(new_context, "koho.approver@example.jp")
    review = approver.get_by_role("region", name=re.compile("awaiting your review", re.I))
    row = review.get_by_role("row").filter(has=approver.get_by_role("link", name=TITLE))
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve", exact=True).click()
    # The dashboard reloads with nothing left to review.
    expect(approver.get_by_role("region", name=re.compile("awaiting your review", re.I))).to_have_count(0)
    news.refresh_from_db()
    assert news.live

    # --- Residents see it everywhere -------------------------------------------------------
    anonymous.goto("/")
    expect(anonymous.get_by_role("main").get_by_role("link", name=TITLE)).to_be_visible()
    anonymous.goto(news_index.url)
    anonymous.get_by_role("main").get_by_role("link", name=TITLE).click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(TITLE)
    rss = anonymous.request.get("/feeds/news.rss")
    assert rss.ok
    assert f"<title>{TITLE}</title>" in rss.text()
