"""A resident's first day on a phone: real browser, live server, real SMTP sink.

Sign up, verify by mail, sign in, add a child, invite the other parent; the other parent signs
up, verifies, accepts the invitation and sees the child. Mails travel through the outbox and
Celery (in-process) to the SMTP sink, exactly as in production.

The journey runs in English (language cookie) so it does not depend on the Japanese catalogue;
a second test checks that the site is Japanese by default.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser import PHONE, label, log_in, log_out
from tests.smtp_sink import Received, SmtpSink

pytest_plugins = ["tests.browser"]  # browser, new_context, home_page
# Transactional tests flush the database; serialized_rollback brings back what the
# migrations made (the Wagtail root page and site, locales, staff groups).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Midori-town-2024-walk"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
INVITE_LINK = re.compile(r"https?://\S+/my/household/invitations/accept/\S+/")


def text_of(mail: Received) -> str:
    return mail.message.get_body(preferencelist=("plain",)).get_content()


def links_to(sink: SmtpSink, address: str, pattern: re.Pattern) -> list[str]:
    return [m.group(0) for r in sink.to(address) if (m := pattern.search(text_of(r)))]


def wait_for_link(sink: SmtpSink, address: str, pattern: re.Pattern, timeout: float = 15) -> str:
    """The newest link of this kind sent to ``address`` (mails leave after the commit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if links := links_to(sink, address, pattern):
            return links[-1]
        time.sleep(0.1)
    subjects = [(r.recipients, r.message["Subject"]) for r in sink.messages]
    raise AssertionError(f"no mail matching {pattern.pattern} to {address}; got {subjects}")


def sign_up_and_verify(
    context: BrowserContext, sink: SmtpSink, *, email: str, family: str, given: str, family_kana: str, given_kana: str
) -> Page:
    page = context.new_page()
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("sign up", re.I))
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_label(label("Password (again)")).fill(PASSWORD)
    page.get_by_label(label("Family name")).fill(family)
    page.get_by_label(label("Given name")).fill(given)
    page.get_by_label(label("Family name (kana)")).fill(family_kana)
    page.get_by_label(label("Given name (kana)")).fill(given_kana)
    page.get_by_label(label("Preferred language")).select_option("en")
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("verify your email", re.I))

    link = wait_for_link(sink, email, CONFIRM_LINK)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("confirm email", re.I))
    expect(page.get_by_role("main")).to_contain_text(email)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text(f"You have confirmed {email}")
    return page


def test_two_guardians_share_a_child_on_phones(new_context, smtp_settings, home_page):
    sink: SmtpSink = smtp_settings
    hanako = "hanako.machida@example.jp"
    kenji = "kenji.machida@example.jp"

    # --- First guardian: sign up, verify, sign in, add a child, invite the other parent ----
    first = new_context(language="en", **PHONE)
    page = sign_up_and_verify(
        first, sink, email=hanako, family="町田", given="花子", family_kana="マチダ", given_kana="ハナコ"
    )
    log_in(page, hanako, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My page")
    expect(page.get_by_role("main")).to_contain_text("Welcome, 町田 花子")

    household = page.get_by_role("region", name="Household")
    expect(household).to_contain_text("No household members yet.")
    household.get_by_role("link", name="Add a household member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a household member")
    page.get_by_label(label("Family name")).fill("町田")
    page.get_by_label(label("Given name")).fill("太郎")
    page.get_by_label(label("Family name (kana)")).fill("マチダ")
    page.get_by_label(label("Given name (kana)")).fill("タロウ")
    page.get_by_label(label("Relationship")).select_option(label="Child")
    page.get_by_label(label("Date of birth")).fill("2018-04-02")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("町田 太郎")
    expect(page.get_by_role("status")).to_contain_text("町田 太郎 was added to your household.")
    child_url = page.url

    page.get_by_role("link", name="Invite another guardian").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite another guardian")
    page.get_by_label(label("Email address of the person to invite")).fill(kenji)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"An invitation was sent to {kenji}.")
    expect(page.get_by_role("heading", name="Invitations waiting for an answer")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(kenji)
    invite_link = wait_for_link(sink, kenji, INVITE_LINK)

    # --- Second guardian, on their own phone -------------------------------------------------
    second = new_context(language="en", **PHONE)
    page2 = sign_up_and_verify(
        second, sink, email=kenji, family="町田", given="健二", family_kana="マチダ", given_kana="ケンジ"
    )
    log_in(page2, kenji, PASSWORD)
    expect(page2.get_by_role("region", name="Household")).to_contain_text("No household members yet.")
    page2.goto(invite_link)
    expect(page2.get_by_role("heading", level=1)).to_have_text("Invitation")
    expect(page2.get_by_role("main")).to_contain_text("町田 花子 invites you to look after 町田 太郎 together.")
    page2.get_by_role("button", name="Accept").click()

    expect(page2).to_have_url(child_url)
    expect(page2.get_by_role("heading", level=1)).to_have_text("町田 太郎")
    expect(page2.get_by_role("status")).to_contain_text("You now share 町田 太郎.")
    expect(page2.get_by_role("main")).to_contain_text("町田 健二")
    # Only the owner manages the child.
    expect(page2.get_by_role("link", name="Invite another guardian")).to_have_count(0)
    page2.goto("/my/")
    panel = page2.get_by_role("region", name="Household")
    expect(panel.get_by_role("link", name="町田 太郎")).to_be_visible()

    # --- The first guardian sees the share, then both sign out ------------------------------
    page.reload()
    expect(page.get_by_role("heading", name="Shared with")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("町田 健二")
    expect(page.get_by_role("heading", name="Invitations waiting for an answer")).to_have_count(0)

    for p in (page, page2):
        log_out(p)
        expect(p.get_by_role("heading", level=1)).to_have_text(home_page.title)  # the Japanese home at /
        p.goto("/my/")
        expect(p).to_have_url(re.compile(r"/accounts/login/"))
        nav = p.get_by_role("navigation", name="Account")  # account pages follow the chosen language
        expect(nav.get_by_role("link", name="Sign in")).to_be_visible()

    # --- Mail: one verification per address, one invitation --------------------------------
    assert len(links_to(sink, hanako, CONFIRM_LINK)) == 1
    assert len(links_to(sink, kenji, CONFIRM_LINK)) == 1
    assert len(links_to(sink, kenji, INVITE_LINK)) == 1
    assert len(links_to(sink, hanako, INVITE_LINK)) == 0
    assert len(sink.messages) == 3, [r.message["Subject"] for r in sink.messages]


@pytest.mark.parametrize("locale", ["ja-JP", "fr-FR"])
def test_site_speaks_japanese_by_default(new_context, locale):
    """No language cookie: a Japanese phone, or one in a language we lack, gets Japanese."""
    page = new_context(locale=locale, **PHONE).new_page()
    page.goto("/accounts/signup/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
