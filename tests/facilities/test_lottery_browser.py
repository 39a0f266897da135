"""Applying for a facility lottery on a phone, without JavaScript tricks: real browser, live server.

The resident chooses two slots in order on the form (plain selects), sees the application with
its ranked choices, and can withdraw it. The pages are checked with axe-core (WCAG 2.2 AA).
The journey runs in English (language cookie) so it does not depend on the Japanese catalogue.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from facilities import rules
from facilities.models import LotteryApplication, LotteryRound
from tests.browser import PHONE, assert_no_violations, label, log_in
from tests.facilities.factories import gym
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_site(db):
    """The town's site, as on a laptop (the pages' header and menu need it)."""
    call_command("load_demo", stdout=io.StringIO())


def test_a_resident_applies_for_the_lottery_with_ranked_choices_on_a_phone(new_context, demo_site, axe_installed):
    hall = gym(name="みどり町総合体育館", slug="lottery-gym")
    now = timezone.now()
    month = rules.first_of_month(timezone.localdate(now), -2)
    round = LotteryRound.objects.create(
        facility=hall.facility, month=month, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=3)
    )
    user = UserFactory(email="lottery.resident@example.jp", language="en")

    page = new_context(language="en", bypass_csp=True, **PHONE).new_page()  # axe is injected inline
    log_in(page, user.email, PASSWORD)
    page.goto("/facilities/lottery/")
    entry = page.get_by_role("listitem").filter(has_text="みどり町総合体育館")
    entry.get_by_role("link", name=re.compile("^Apply")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Apply for the lottery")
    assert_no_violations(page)

    first = page.get_by_role("group", name=re.compile("Choice 1"))
    first.get_by_label(label("Unit")).select_option(label="アリーナ全面")
    first.get_by_label(label("Date")).select_option(value=(month + timedelta(days=9)).isoformat())
    first.get_by_label(label("Time")).select_option(label="午前 09:00–12:00")
    second = page.get_by_role("group", name=re.compile("Choice 2"))
    second.get_by_label(label("Unit")).select_option(label="半面A")
    # A half-filled choice is refused with a message next to it, and nothing is saved.
    page.get_by_role("button", name="Send the application").click()
    expect(second.get_by_role("alert").first).to_contain_text("Choose a unit, a date and a time")
    assert not LotteryApplication.objects.exists()
    assert_no_violations(page)

    second = page.get_by_role("group", name=re.compile("Choice 2"))
    second.get_by_label(label("Date")).select_option(value=(month + timedelta(days=9)).isoformat())
    second.get_by_label(label("Time")).select_option(label="夜間 18:00–21:00")
    page.get_by_role("button", name="Send the application").click()

    expect(page.get_by_role("status")).to_contain_text("Your application is received.")
    choices = page.get_by_role("main").get_by_role("list").filter(has_text="アリーナ全面").get_by_role("listitem")
    expect(choices).to_have_count(2)
    expect(choices.nth(0)).to_contain_text("アリーナ全面")
    expect(choices.nth(1)).to_contain_text("半面A")
    assert_no_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Withdrawing asks first, like cancelling a booking (issue 12), and works without JavaScript.
    page.get_by_role("link", name="Withdraw the application").click()
    assert LotteryApplication.objects.get().status == LotteryApplication.Status.SUBMITTED
    page.get_by_role("button", name="Yes, withdraw the application").click()
    expect(page.get_by_role("status")).to_contain_text("Your application is withdrawn.")
    assert LotteryApplication.objects.get().status == LotteryApplication.Status.WITHDRAWN
    assert round.applications.count() == 1


def test_anyone_checks_a_drawn_lottery_on_a_phone(new_context, demo_site, axe_installed, tmp_path):
    """The public record (commitment, seed, order, winners) and the check page, in Japanese, at 375 px."""
    import json

    from facilities.lottery import services as lottery_services
    from facilities.lottery.selectors import public_document
    from facilities.lottery.services import ChoiceRequest

    hall = gym(name="みどり町総合体育館", slug="lottery-gym")
    now = timezone.now()
    month = rules.first_of_month(timezone.localdate(now), -2)
    round = LotteryRound.objects.create(
        facility=hall.facility, month=month, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=1)
    )
    frame = hall.arena.frames.order_by("start").first()
    for _ in range(3):
        lottery_services.apply(
            user=UserFactory(),
            round=round,
            choices=[ChoiceRequest(unit=hall.arena, frame=frame, day=month + timedelta(days=9))],
        )
    lottery_services.draw(round, now=round.closes_at + timedelta(minutes=5))
    round.refresh_from_db()

    page = new_context(language="ja", bypass_csp=True, **PHONE).new_page()
    page.goto(f"/facilities/lottery/{round.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("抽選の公開記録")
    expect(page.get_by_role("main")).to_contain_text(round.commitment)
    expect(page.get_by_role("main")).to_contain_text(round.seed)
    expect(page.get_by_role("table", name="抽選で申込を処理した順番").get_by_role("row")).to_have_count(4)
    assert_no_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="抽選を検証する").first.click()
    expect(page.get_by_role("status")).to_contain_text("一致しました")
    assert_no_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # A saved copy whose winner was changed afterwards does not match.
    document = public_document(round)
    document["draw"]["winners"][0]["number"] = next(
        n for n in document["draw"]["order"] if n != document["draw"]["winners"][0]["number"]
    )
    saved = tmp_path / "lottery.json"
    saved.write_text(json.dumps(document), encoding="utf-8")
    page.get_by_label("抽選の公開データ（JSONファイル）").set_input_files(str(saved))
    page.get_by_role("button", name="ファイルを検証する").click()
    expect(page.get_by_role("status")).to_contain_text("公開データと異なります")
    assert_no_violations(page)
