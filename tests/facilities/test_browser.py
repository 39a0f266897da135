"""Booking a facility on a phone in Japanese: real browser, live server, real SMTP sink.

A resident finds a free slot from the facility list, books it on the day view, gets the
confirmation mail with an .ics file, then cancels on "My reservations" and gets the cancellation
(METHOD:CANCEL, same UID). Mails travel through the outbox and Celery (in-process) to the sink.

The pages are Japanese (the resident's language). Expected words come from the catalogue
through gettext, so the test holds before and after the Japanese translation is filled in.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar
from playwright.sync_api import Page, expect

from facilities import rules
from facilities.models import Reservation
from tests.browser import PHONE, assert_no_violations, log_in
from tests.facilities.factories import gym
from tests.portal.factories import PASSWORD, DistrictFactory, UserFactory
from tests.smtp_sink import SmtpSink

pytest_plugins = ["tests.browser"]  # browser, new_context, home_page
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def wait_for_calendar(sink: SmtpSink, address: str, method: str, timeout: float = 20) -> Calendar:
    """The .ics attached to the first mail to ``address`` whose calendar has this METHOD."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in sink.to(address):
            for part in received.message.iter_attachments():
                if part.get_content_type() == "text/calendar":
                    cal = Calendar.from_ical(part.get_content())
                    if str(cal.get("METHOD")) == method:
                        return cal
        time.sleep(0.1)
    raise AssertionError(
        f"no mail with a METHOD:{method} calendar to {address}: {[r.message['Subject'] for r in sink.messages]}"
    )


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"{page.url} is {width} CSS px wide on a phone"


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=6)


def test_find_book_and_cancel_a_slot_on_a_phone(new_context, smtp_settings, axe_installed, day):
    sink: SmtpSink = smtp_settings
    g = gym(name="みどり町民体育館")
    resident = UserFactory(email="hanako@example.jp", language="ja", district=DistrictFactory())
    booked_frame = g.frame(g.half_b, "午後")

    # The sign-in helper reads English labels; then the cookie goes and the resident's language (ja) applies.
    context = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE)
    page = context.new_page()
    log_in(page, resident.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)

    # --- Find a free afternoon on the day ------------------------------------------------
    page.goto("/facilities/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    search = page.locator("form.search-form")
    search.locator("input[name=date]").fill(day.isoformat())
    search.locator("select[name=band]").select_option("afternoon")
    search.locator("button[type=submit]").click()
    card = page.locator(".facility-card", has_text=g.facility.name)
    expect(card).to_contain_text(f"半面B {booked_frame.label} 13:00–17:00")
    assert_fits_the_phone(page)
    card.get_by_role("link", name=g.facility.name, exact=True).click()

    # --- Day view: tick 半面B 午後 and continue --------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text(g.facility.name)
    expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"))
    assert_fits_the_phone(page)
    page.locator(f'input[name=frame][value="{booked_frame.pk}"]').check()
    page.locator("form.slot-form button[type=submit]").click()

    # --- Confirm: the slot and the fee, then book ------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Check and confirm your booking"))
    slots_table = page.get_by_role("table")
    expect(slots_table).to_contain_text("13:00–17:00")
    expect(slots_table).to_contain_text("1,500" if rules.is_holiday(day) else "1,000")  # the resident fee
    assert_no_violations(page)
    page.locator("main form[method=post] button[type=submit]").click()

    # --- Done: the confirmation mail with the calendar file arrives ------------------------
    expect(page).to_have_url(re.compile(r"/my/reservations/booked/\?r=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Booked"))
    reservation = Reservation.objects.get(user=resident)
    assert (reservation.unit, reservation.frame, reservation.date) == (g.half_b, booked_frame, day)
    booked = wait_for_calendar(sink, resident.email, "REQUEST")
    [event] = booked.walk("VEVENT")
    assert event.decoded("DTSTART") == reservation.start
    assert str(event["SUMMARY"]) == f"{g.facility.name} 半面B"
    uid = str(event["UID"])

    # The slot is now taken for everyone: the day view shows it without a tick box.
    page.goto(f"/facilities/{g.facility.slug}/?date={day.isoformat()}")
    expect(page.locator(f'input[name=frame][value="{booked_frame.pk}"]')).to_have_count(0)

    # --- My reservations: cancel -----------------------------------------------------------
    page.goto("/my/reservations/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("My reservations"))
    assert_fits_the_phone(page)
    assert_no_violations(page)
    page.locator(f'a[href="/my/reservations/{reservation.pk}/cancel/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ja("Cancel a booking"))
    page.get_by_role("button", name=ja("Yes, cancel the booking")).click()
    expect(page).to_have_url(re.compile(r"/my/reservations/$"))
    expect(page.get_by_role("status")).to_contain_text(ja("Your booking was cancelled. We sent you a mail about it."))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED

    cancelled = wait_for_calendar(sink, resident.email, "CANCEL")
    [cancel_event] = cancelled.walk("VEVENT")
    assert str(cancel_event["UID"]) == uid
    assert str(cancel_event["STATUS"]) == "CANCELLED"
    assert len(sink.to(resident.email)) == 2


def test_public_facility_pages_pass_axe_on_a_phone(new_context, axe_installed, day):
    g = gym(name="みどり町民体育館")
    UserFactory()  # nobody signed in: the pages are public
    page = new_context(bypass_csp=True, locale="ja-JP", **PHONE).new_page()
    for path in (
        f"/facilities/?date={day.isoformat()}&band=evening",
        f"/facilities/{g.facility.slug}/?date={day.isoformat()}",
        f"/facilities/{g.facility.slug}/units/{g.arena.pk}/?month={day:%Y-%m}",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        assert_fits_the_phone(page)
        assert_no_violations(page)
