"""The waitlist on a 375 px phone, in Japanese: join a booked slot's line, get the offer, confirm it.

A resident finds a booked slot on the day view and joins its waitlist; the booking's holder
cancels it; the offer mail (read from the outbox, as the worker would send it) links to the
offer page, where the resident books the slot held for them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from facilities import services
from facilities.models import Reservation, WaitlistEntry
from facilities.services import SlotRequest
from notifications.models import OutboundMail
from tests.browser import PHONE, assert_no_violations, log_in
from tests.facilities.factories import gym
from tests.portal.factories import PASSWORD, DistrictFactory, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_375 = {**PHONE, "viewport": {"width": 375, "height": 812}}


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def assert_fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} CSS px wide on a 375 px phone"


def test_join_a_waitlist_get_the_offer_and_confirm_it_on_a_phone(new_context, axe_installed):
    day = timezone.localdate() + timedelta(days=6)
    g = gym(name="みどり町民体育館")
    frame = g.frame(g.half_a, "午前")
    holder = UserFactory(district=DistrictFactory())
    [booking] = services.book(user=holder, unit=g.half_a, slots=[SlotRequest(frame, day)])
    resident = UserFactory(email="hanako@example.jp", language="ja", district=DistrictFactory())

    context = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE_375)
    page = context.new_page()
    log_in(page, resident.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)

    # --- The day view: the booked slot links to its waitlist ----------------------------------
    page.goto(f"/facilities/{g.facility.slug}/?date={day.isoformat()}")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert_fits_the_phone(page)
    assert_no_violations(page)
    page.locator(f'a.slot-wait[href*="frame={frame.pk}"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Join the waitlist"))
    assert_fits_the_phone(page)
    assert_no_violations(page)
    page.locator("main form[method=post] button[type=submit]").click()

    # --- My waitlist: first in line -----------------------------------------------------------
    expect(page).to_have_url(re.compile(r"/my/reservations/waitlist/$"))
    expect(page.get_by_role("status").first).to_contain_text(
        ja("You are on the waitlist. If the slot is cancelled and it is your turn, we will mail you.")
    )
    expect(page.locator("main")).to_contain_text("待機中：1番目です。")
    assert_fits_the_phone(page)
    assert_no_violations(page)
    entry = WaitlistEntry.objects.get(user=resident)

    # --- The holder cancels: the offer mail goes into the outbox with its link ------------------
    services.cancel(reservation=booking, by=holder)
    [mail] = OutboundMail.objects.filter(to_email=resident.email, category="facilities_waitlist_offer")
    assert mail.language == "ja" and "キャンセル待ち" in mail.subject
    [link] = re.findall(r"https?://\S+/my/reservations/waitlist/\d+/", mail.body_text)
    page.goto(re.sub(r"^https?://[^/]+", "", link))

    # --- The offer page: book the held slot ----------------------------------------------------
    expect(page.locator("main")).to_contain_text(ja("The slot is held for you."))
    assert_fits_the_phone(page)
    assert_no_violations(page)
    page.get_by_role("button", name=ja("Book this slot")).click()
    expect(page).to_have_url(re.compile(r"/my/reservations/booked/\?r=\d+$"))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
    reservation = Reservation.objects.get(user=resident)
    assert (reservation.status, reservation.unit, reservation.frame, reservation.date) == (
        Reservation.Status.CONFIRMED,
        g.half_a,
        frame,
        day,
    )
