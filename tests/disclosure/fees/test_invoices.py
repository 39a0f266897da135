"""Copy fees: the schedule staff edit, the invoice with its prices copied, payment at the counter,
cancel and reissue, and 実施 that waits for the payment. The requester sees and prints the invoice."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from disclosure import services
from disclosure.errors import DisclosureError
from disclosure.fees import selectors
from disclosure.fees import services as fees
from disclosure.fees.models import FeeSchedule, Invoice, InvoiceStatus
from disclosure.models import Event, EventKind, Status
from notifications.models import OutboundMail
from portal.models import AccessLog
from tests.disclosure.factories import RequestFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def _counts():
    return (Invoice.objects.count(), Event.objects.count(), OutboundMail.objects.count())


def test_the_schedule_starts_at_the_documented_defaults():
    schedule = selectors.schedule()
    assert (schedule.monochrome_page, schedule.colour_page, schedule.cd_r, schedule.dvd_r) == (10, 20, 100, 100)


def test_an_invoice_copies_the_prices_and_a_later_change_does_not_touch_it(released, clerk):
    invoice = fees.issue_invoice(request=released, by=clerk, monochrome_pages=12, colour_pages=3, postage=140)
    assert invoice.number == "F2026-0001-1" and invoice.status == InvoiceStatus.ISSUED
    assert invoice.total == 12 * 10 + 3 * 20 + 140
    schedule = FeeSchedule.for_site(Site.objects.get(is_default_site=True))
    schedule.monochrome_page, schedule.colour_page = 30, 50
    schedule.save()
    invoice.refresh_from_db()
    assert invoice.total == 320 and [line.amount for _, line in invoice.lines()] == [120, 60, 140]
    event = released.events.get(kind=EventKind.INVOICE_ISSUED)
    assert event.actor == clerk and "F2026-0001-1" in event.note
    mail = OutboundMail.objects.get(to_email=released.email)
    assert "請求書" in mail.subject
    assert "白黒の写し（枚）: 12 × 10円 = 120円" in mail.body_text and "合計: 320円" in mail.body_text
    assert "コンビニ" in mail.body_text and f"/my/disclosure/{released.pk}/invoice/" in mail.body_text


@pytest.mark.parametrize(
    ("setup", "kwargs", "code", "words"),
    [
        ({"status": Status.RECEIVED}, {"monochrome_pages": 1}, "invoice_not_released", "開示"),
        ({"status": Status.NOT_DISCLOSED}, {"monochrome_pages": 1}, "invoice_not_released", "開示"),
        ({"preferred_form": "viewing"}, {"monochrome_pages": 1}, "viewing_is_free", "閲覧は無料"),
        ({}, {}, "empty_invoice", "請求する費用がありません"),
        ({}, {"monochrome_pages": -1}, "bad_quantity", "0から100,000"),
        ({}, {"postage": 100_001}, "bad_quantity", "0から100,000"),
    ],
)
def test_an_invoice_is_refused_with_a_reason_and_nothing_is_written(clerk, setup, kwargs, code, words):
    request = RequestFactory(**{"status": Status.DISCLOSED, **setup})
    before = _counts()
    with pytest.raises(DisclosureError) as refused:
        fees.issue_invoice(request=request, by=clerk, **kwargs)
    assert refused.value.code == code and words in refused.value.message
    assert _counts() == before


def test_payment_at_the_counter_is_recorded_and_then_the_disclosure_is_carried_out(released, clerk):
    invoice = fees.issue_invoice(request=released, by=clerk, monochrome_pages=25)
    with pytest.raises(DisclosureError) as refused:
        services.implement(request=released, by=clerk)
    assert (
        refused.value.code == "invoice_unpaid"
        and "F2026-0001-1（250円）がまだ納付されていません" in refused.value.message
    )
    released.refresh_from_db()
    assert released.status == Status.PARTIAL and released.implemented_on is None

    today = timezone.localdate()
    fees.record_payment(invoice=invoice, by=clerk, paid_on=today, method="counter", receipt_note="領収第12号")
    invoice.refresh_from_db()
    released.refresh_from_db()
    assert invoice.is_paid and invoice.paid_on == today and invoice.payment_method == "counter"
    assert released.fee == 250
    paid = released.events.get(kind=EventKind.INVOICE_PAID)
    assert paid.actor == clerk and "窓口" in paid.note and "領収第12号" in paid.note
    assert OutboundMail.objects.filter(
        to_email=released.email, body_text__contains=f"{today.year}年{today.month}月{today.day}日"
    ).exists()

    with pytest.raises(DisclosureError) as mismatch:
        services.implement(request=released, by=clerk, fee=100)
    assert mismatch.value.code == "fee_not_invoiced"
    services.implement(request=released, by=clerk)
    released.refresh_from_db()
    assert released.status == Status.IMPLEMENTED and released.fee == 250


def test_a_paid_invoice_cannot_be_paid_again_or_cancelled(released, clerk):
    invoice = fees.issue_invoice(request=released, by=clerk, cd_r=1)
    fees.record_payment(invoice=invoice, by=clerk, paid_on=timezone.localdate(), method="convenience")
    before = _counts()
    for attempt in (
        lambda: fees.record_payment(invoice=invoice, by=clerk, paid_on=timezone.localdate(), method="counter"),
        lambda: fees.cancel_invoice(invoice=invoice, by=clerk, reason="誤り"),
        lambda: fees.issue_invoice(request=released, by=clerk, cd_r=2),
    ):
        with pytest.raises(DisclosureError):
            attempt()
    assert _counts() == before


@pytest.mark.parametrize(
    ("paid_on", "method", "code"),
    [
        (date(2099, 1, 1), "counter", "bad_paid_on"),
        (date(2000, 1, 1), "counter", "bad_paid_on"),
        (timezone.localdate(), "bank", "bad_payment_method"),
    ],
)
def test_a_payment_needs_a_plausible_date_and_a_known_method(released, clerk, paid_on, method, code):
    invoice = fees.issue_invoice(request=released, by=clerk, monochrome_pages=1)
    before = _counts()
    with pytest.raises(DisclosureError) as refused:
        fees.record_payment(invoice=invoice, by=clerk, paid_on=paid_on, method=method)
    assert refused.value.code == code
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and _counts() == before


def test_an_unpaid_invoice_is_cancelled_with_a_reason_and_reissued_with_history(released, clerk):
    first = fees.issue_invoice(request=released, by=clerk, monochrome_pages=10)
    with pytest.raises(DisclosureError) as refused:
        fees.cancel_invoice(invoice=first, by=clerk, reason="   ")
    assert refused.value.code == "missing_text"
    fees.cancel_invoice(invoice=first, by=clerk, reason="枚数の誤り（正しくは12枚）")
    second = fees.issue_invoice(request=released, by=clerk, monochrome_pages=12)
    assert second.number == "F2026-0001-2"
    assert [(i.number, i.status) for i in selectors.invoices_of(released)] == [
        ("F2026-0001-1", InvoiceStatus.CANCELLED),
        ("F2026-0001-2", InvoiceStatus.ISSUED),
    ]
    assert selectors.live_invoice(released) == second
    cancelled = released.events.get(kind=EventKind.INVOICE_CANCELLED)
    assert "枚数の誤り" in cancelled.note


def test_without_an_invoice_viewing_is_carried_out_free():
    request = RequestFactory(status=Status.DISCLOSED, preferred_form="viewing")
    services.implement(request=request, by=None)
    request.refresh_from_db()
    assert request.status == Status.IMPLEMENTED and request.fee == 0


# --- The requester's page ---------------------------------------------------------------------
def test_the_requester_sees_and_prints_the_invoice_and_no_one_else_does(client, released, clerk):
    invoice = fees.issue_invoice(request=released, by=clerk, monochrome_pages=12, dvd_r=1, postage=140)
    url = reverse("portal:disclosure_invoice", args=[released.pk])
    client.force_login(released.user)
    detail = client.get(reverse("portal:disclosure_request", args=[released.pk])).content.decode()
    assert "F2026-0001-1" in detail and "360円" in detail and f'href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "F2026-0001-1" in html and "白黒の写し（枚）" in html and "DVD-R（枚）" in html and "郵送料（実費）" in html
    assert "360" in html and "納付方法" in html and "コンビニ" in html and "印刷" in html
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    fees.cancel_invoice(invoice=invoice, by=clerk, reason="取り下げ")
    client.force_login(released.user)
    assert client.get(url).status_code == 404  # nothing live to pay


def test_the_invoice_page_is_valid_html(client, released, clerk, tmp_path):
    from tests.test_html_valid import vnu_errors

    fees.issue_invoice(request=released, by=clerk, monochrome_pages=12, colour_pages=2, cd_r=1, postage=140)
    client.force_login(released.user)
    urls = [
        reverse("portal:disclosure_invoice", args=[released.pk]),
        reverse("portal:disclosure_request", args=[released.pk]),
    ]
    assert vnu_errors({url: client.get(url).content.decode() for url in urls}, tmp_path) == []


# --- The staff admin --------------------------------------------------------------------------
def test_staff_issue_record_payment_and_carry_out_in_the_admin(staff_client, released, clerk):
    client = staff_client
    inspect = reverse("disclosure_requests:inspect", args=[released.pk])
    issue = reverse("disclosure_invoice_issue", args=[released.pk])
    assert f'href="{issue}"' in client.get(inspect).content.decode()
    form = client.get(issue).content.decode()
    assert "10円" in form and "20円" in form
    page = client.post(issue, {"monochrome_pages": 0, "colour_pages": 0, "cd_r": 0, "dvd_r": 0, "postage": 0})
    assert page.status_code == 200 and "請求する費用がありません" in page.content.decode()
    assert not Invoice.objects.exists()
    assert (
        client.post(issue, {"monochrome_pages": 40, "colour_pages": 0, "cd_r": 0, "dvd_r": 0, "postage": 0}).status_code
        == 302
    )
    invoice = Invoice.objects.get()
    assert invoice.total == 400 and invoice.issued_by == clerk
    html = client.get(inspect).content.decode()
    assert "F2026-0001-1" in html and f'href="{issue}"' not in html
    pay = reverse("disclosure_invoice_pay", args=[invoice.pk])
    implement = reverse("disclosure_requests:action", args=["implement", released.pk])
    refused = client.post(implement, {"fee": "", "note": ""}).content.decode()
    assert "まだ納付されていません" in refused
    today = timezone.localdate().isoformat()
    assert client.post(pay, {"paid_on": today, "method": "counter", "receipt_note": "領収第3号"}).status_code == 302
    assert 'value="400"' in client.get(implement).content.decode()
    assert client.post(implement, {"fee": "400", "note": ""}).status_code == 302
    released.refresh_from_db()
    assert released.status == Status.IMPLEMENTED and released.fee == 400
    assert AccessLog.objects.filter(staff=clerk, action="view", object_id=str(released.pk)).exists()


def test_staff_cancel_in_the_admin_needs_a_reason(staff_client, released, clerk):
    invoice = fees.issue_invoice(request=released, by=clerk, monochrome_pages=1)
    url = reverse("disclosure_invoice_cancel", args=[invoice.pk])
    page = staff_client.post(url, {"reason": "  "})
    assert page.status_code == 200 and "この項目は必須です" in page.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED
    assert staff_client.post(url, {"reason": "部数の変更"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED


def test_other_staff_cannot_reach_the_fee_pages(client, released, clerk, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    invoice = fees.issue_invoice(request=released, by=clerk, monochrome_pages=1)
    client.force_login(UserFactory(is_staff=True))
    for url in (
        reverse("disclosure_invoice_issue", args=[released.pk]),
        reverse("disclosure_invoice_pay", args=[invoice.pk]),
        reverse("disclosure_invoice_cancel", args=[invoice.pk]),
    ):
        assert client.get(url).status_code in (302, 403)
        assert client.post(url, {"reason": "x", "method": "counter", "paid_on": "2026-07-20"}).status_code in (302, 403)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED


def test_the_schedule_is_a_setting_the_disclosure_staff_edit(staff_client):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["disclosure", "feeschedule", site.pk])
    assert staff_client.get(url).status_code == 200
    data = {"monochrome_page": 12, "colour_page": 25, "cd_r": 110, "dvd_r": 120, "payment_instructions": ""}
    assert staff_client.post(url, data).status_code == 302
    assert selectors.schedule().prices().monochrome_page == 12
