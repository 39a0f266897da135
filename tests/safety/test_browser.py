"""Safety mail in a real browser: a parent on a phone, in Japanese, and the same pages on a desktop in English.

The parent finds the child's last arrival on /my/, switches to one daily summary, checks
grandmother's touches, and turns a broadcast category off, all without JavaScript-only
controls. Every safety page passes axe (WCAG 2.2 AA) and fits a phone's width. Expected words
come from the catalogue through gettext, so the test holds in both languages.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from notifications.models import OutboundMail
from portal.staff import SAFETY
from safety import broadcasts, selectors, services
from safety.mails import mail_category
from safety.models import Broadcast, Subscription, Terminal
from tests.browser import DESKTOP, PHONE, assert_no_violations, log_in
from tests.portal.factories import PASSWORD, UserFactory
from tests.safety.factories import CARD, add_watched_person, enrol_child, event, make_gate

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRANDMA_CARD = "99AA00BB11CC22DD"


def say(message: str, language: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


@pytest.fixture
def family():
    """太郎 (a pupil who just passed the gate), his grandmother ハナ (watched over), and a broadcast."""
    gate, _key = make_gate()
    child = enrol_child(owner_language="ja")
    grandma = add_watched_person(household=child.household, card_id=GRANDMA_CARD, label="22DD")
    hall = Terminal.objects.create(name="公民館", kind=Terminal.Kind.WATCH, place="中央公民館 正面入口")
    now = timezone.now()
    services.ingest(terminal=gate, events=[event(card=CARD, occurred_at=now)])
    services.ingest(terminal=hall, events=[event(card=GRANDMA_CARD, kind="touch", occurred_at=now)])
    notice = Broadcast.objects.create(
        category="weather", title="明日は臨時休校", body="大雨警報のため、明日は休校です。", target_all=True
    )
    Broadcast.objects.filter(pk=notice.pk).update(status=Broadcast.Status.SENDING)
    broadcasts.send(str(notice.pk))
    return child, grandma


def open_as_parent(new_context, user, language: str, options: dict) -> Page:
    # The sign-in helper reads English labels; then the cookie goes and the parent's own language applies.
    context = new_context(bypass_csp=True, language="en", **options)
    page = context.new_page()
    log_in(page, user.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    user.language = language
    user.save(update_fields=["language"])
    return page


def assert_fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} CSS px wide at {width} px"


def test_parent_on_a_phone_reads_and_changes_safety_mail(new_context, axe_installed, family):
    child, grandma = family
    owner = child.household.owner
    page = open_as_parent(new_context, owner, "ja", PHONE)

    # /my/ shows the arrival at the gate and the new broadcast.
    panel = page.locator('section[aria-labelledby="panel-safety"]')
    expect(panel).to_contain_text("太郎")
    expect(panel).to_contain_text("正門")
    expect(panel).to_contain_text("明日は臨時休校")

    page.goto("/my/safety/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(say("Safety mail", "ja"))
    assert_no_violations(page)
    assert_fits(page, PHONE["viewport"]["width"])

    # One daily summary instead of a mail per touch, chosen with plain radio buttons.
    page.get_by_role("link", name=say("Choose mail about %(name)s", "ja", name="太郎")).click()
    assert_no_violations(page)
    page.get_by_label(say("One daily summary", "ja")).check()
    page.get_by_role("button", name=say("Save", "ja")).click()
    expect(page.get_by_text(say("Your choice was saved.", "ja"))).to_be_visible()
    assert Subscription.objects.get(user=owner, member=child).mode == Subscription.Mode.DIGEST
    expect(page.locator("main")).to_contain_text(say("One daily summary", "ja"))

    # Grandmother's touches: the place and the time, only for this family.
    page.get_by_role("link", name=say("Where and when %(name)s touched a card", "ja", name="ハナ")).click()
    expect(page.locator("main")).to_contain_text("中央公民館 正面入口")
    assert_no_violations(page)
    assert_fits(page, PHONE["viewport"]["width"])

    # Broadcasts: the past message is listed; 気象警報・休校 can be turned off.
    page.goto("/my/safety/broadcasts/")
    expect(page.locator("main")).to_contain_text("大雨警報のため、明日は休校です。")
    assert_no_violations(page)
    assert_fits(page, PHONE["viewport"]["width"])
    weather = page.locator('input[name="categories"][value="weather"]')
    expect(weather).to_be_checked()
    weather.uncheck()
    page.get_by_role("button", name=say("Save", "ja")).click()
    expect(page.get_by_text(say("Your choice was saved.", "ja"))).to_be_visible()
    assert "weather" not in selectors.categories_for(owner)
    assert len(selectors.categories_for(owner)) == 4


def test_another_familys_member_is_not_found_in_the_browser(new_context, family):
    child, grandma = family
    stranger = enrol_child(owner_language="ja", card="0000111122223333").household.owner
    page = open_as_parent(new_context, stranger, "ja", PHONE)
    for path in [f"/my/safety/members/{child.pk}/", f"/my/safety/members/{grandma.pk}/history/"]:
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.locator("main")).not_to_contain_text("中央公民館")


def test_safety_pages_pass_axe_in_english_on_a_desktop(new_context, axe_installed, family):
    child, grandma = family
    page = open_as_parent(new_context, child.household.owner, "en", DESKTOP)
    for path in [
        "/my/safety/",
        f"/my/safety/members/{child.pk}/",
        f"/my/safety/members/{grandma.pk}/",
        f"/my/safety/members/{grandma.pk}/history/",
        "/my/safety/broadcasts/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert_no_violations(page)
    # The no-activity alert is offered for grandmother only, as a labelled checkbox.
    page.goto(f"/my/safety/members/{grandma.pk}/")
    expect(page.get_by_label(re.compile("Alert me when there is no touch"))).to_be_visible()
    page.goto(f"/my/safety/members/{child.pk}/")
    expect(page.get_by_label(re.compile("Alert me when there is no touch"))).to_have_count(0)


def test_school_staff_write_preview_and_send_a_broadcast_in_english_and_japanese(new_context, family, settings):
    """The 学校・見守り staff member's journey in the admin (English, as Wagtail's own labels are)."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False  # the second factor is covered by tests/portal/test_staff_groups.py
    child, _grandma = family
    reader = UserFactory(language="en", email="reader@example.jp")
    teacher = UserFactory(is_staff=True, email="teacher@example.jp")
    teacher.groups.add(Group.objects.get(name=SAFETY))  # as the migrations made it
    page = new_context(language="en", **DESKTOP).new_page()
    log_in(page, teacher.email, PASSWORD)

    page.goto("/admin/safety/broadcasts/new/")
    page.locator("#id_category").select_option("suspicious")
    page.locator("#id_title").fill("不審者情報")
    page.locator("#id_body").fill("15時ごろ、正門付近で不審な人物が目撃されました。")
    page.get_by_label("Title in English").fill("Suspicious person")
    page.get_by_label("Message in English").fill("A suspicious person was seen near the main gate at 15:00.")
    page.get_by_label("Everyone subscribed").check()
    page.get_by_role("button", name="Create").click()

    # The preview: how many residents read each language, and the mail each of them gets.
    expect(page.get_by_role("heading", name="日本語")).to_be_visible()
    expect(page.get_by_role("heading", name="English")).to_be_visible()
    expect(page.locator("main")).to_contain_text("A suspicious person was seen near the main gate")
    sent = Broadcast.objects.get(title="不審者情報")
    mails = OutboundMail.objects.filter(category=mail_category(sent.pk))
    assert not mails.exists(), "a preview sends nothing"

    page.get_by_role("button", name="Send now").click()
    expect(page.get_by_role("heading", name="Delivery", exact=True)).to_be_visible()
    audience = selectors.recipients(sent).count()
    expect(page.locator("main")).to_contain_text(f"{audience} of {audience} mails handled")
    mails = {m.to_email: m for m in mails}
    assert len(mails) == audience
    assert "A suspicious person was seen" in mails[reader.email].body_text
    assert "不審な人物" in mails[child.household.owner.email].body_text
