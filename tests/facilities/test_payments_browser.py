"""The refund before cancelling, on a phone in Japanese: the resident who paid sees what they get
back, the page passes axe and fits the screen, and the refund recorded is the one shown.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from facilities import rules as booking_rules
from facilities import services
from facilities.models import Reservation
from facilities.payments import services as payments
from facilities.services import SlotRequest
from tests.browser import PHONE, assert_no_violations, log_in
from tests.facilities.factories import gym
from tests.facilities.test_browser import assert_fits_the_phone
from tests.portal.factories import PASSWORD, DistrictFactory, UserFactory

pytest_plugins = ["tests.browser"]  # browser, new_context, home_page
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_paid_resident_sees_the_refund_before_cancelling_on_a_phone(new_context, axe_installed):
    day = timezone.localdate() + timedelta(days=4)  # 4 to 6 days before: half back
    while booking_rules.is_holiday(day):
        day += timedelta(days=1)
    g = gym(name="みどり町民体育館")
    resident = UserFactory(language="ja", district=DistrictFactory())
    [reservation] = services.book(
        user=resident, unit=g.half_a, slots=[SlotRequest(g.frame(g.half_a), day)], enforce_rules=False, notify=False
    )
    payments.record_payment(reservation=reservation, paid_on=timezone.localdate(), method="counter")

    context = new_context(bypass_csp=True, language="en", locale="ja-JP", **PHONE)
    page = context.new_page()
    log_in(page, resident.email, PASSWORD)
    context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)

    page.goto(f"/my/reservations/{reservation.pk}/cancel/")
    refund = page.get_by_role("region", name="還付")
    expect(refund).to_contain_text("お支払いの1,000円のうち50%、500円が還付されます。")
    expect(refund.get_by_role("table")).to_contain_text("利用日の7日前まで")
    assert_fits_the_phone(page)
    assert_no_violations(page)

    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/my/reservations/$"))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert (reservation.refund_amount, reservation.refund_percent) == (500, 50)
