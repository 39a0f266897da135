"""The whole way of a partial disclosure in the browser: a resident on a 375 px phone files a request,
gets the receipt mail and answers a correction; the 情報公開 clerk redacts a PDF in the admin (by phrase),
decides 部分開示; the decision mail arrives and the resident downloads the redacted file, in which the
redacted name is found by neither pypdf nor pdfminer."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from pdfminer.high_level import extract_text as pdfminer_text
from playwright.sync_api import expect
from pypdf import PdfReader

from disclosure.models import Request, Status
from disclosure.release.models import ReleasedFile
from notifications.models import OutboundMail
from portal.staff import DISCLOSURE
from tests.browser import DESKTOP, PHONE, assert_no_violations, log_in
from tests.disclosure.release import pdfs
from tests.portal.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SMALL_PHONE = {**PHONE, "viewport": {"width": 375, "height": 812}}
REASON = "第7条第2号（個人に関する情報）"


def label(text: str) -> re.Pattern:
    """A Japanese form label, with or without its trailing colon (「住所：」)."""
    return re.compile(rf"^\s*{re.escape(text)}[:：]?\s*$")


def mails_to(address: str) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(to_email=address).order_by("pk"))


def test_partial_disclosure_from_request_to_download(new_context, axe_installed, settings_override):
    resident = UserFactory(family_name="山田", given_name="花子", email="hanako.release@example.jp")
    clerk = UserFactory(is_staff=True, email="clerk.release@town.example.jp")
    clerk.groups.add(Group.objects.get(name=DISCLOSURE))

    # The resident files the request on a phone.
    phone = new_context(bypass_csp=True, language="en", locale="ja-JP", accept_downloads=True, **SMALL_PHONE)
    page = phone.new_page()
    log_in(page, resident.email, PASSWORD)
    phone.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    page.goto("/my/disclosure/new/")
    page.get_by_label(label("住所又は事務所の所在地")).fill("みどり町本町1-2-3")
    page.get_by_label(label("公文書の名称又は内容")).fill("令和7年度 町道改良工事の設計書")
    page.get_by_label("写しの交付").check()
    page.get_by_role("button", name="請求する").click()
    filed = Request.objects.get()
    expect(page.get_by_text(f"受付番号は {filed.number} です")).to_be_visible()
    [receipt] = mails_to(resident.email)
    assert filed.number in receipt.subject + receipt.body_text

    # The clerk asks for a correction in the admin; the resident answers on the phone.
    office = new_context(language="en", **DESKTOP).new_page()
    log_in(office, clerk.email, PASSWORD)
    office.goto(reverse("disclosure_requests:inspect", args=[filed.pk]))
    office.get_by_role("link", name="Ask for a correction").click()
    office.locator("#id_body").fill("対象期間を教えてください。")
    office.get_by_role("button", name="Ask for a correction").click()
    expect(office.get_by_text(f"{filed.number}: done.")).to_be_visible()
    assert "対象期間を教えてください。" in mails_to(resident.email)[-1].body_text

    page.reload()
    page.get_by_label(label("メッセージ")).fill("令和7年4月から9月まで")
    page.get_by_role("button", name="送信する").click()
    expect(page.get_by_text("メッセージを送りました。")).to_be_visible()
    filed.refresh_from_db()
    assert filed.status == Status.RECEIVED

    # The clerk redacts the document: upload the original, redact the name everywhere, apply.
    office.goto(reverse("disclosure_requests:inspect", args=[filed.pk]))
    office.get_by_role("link", name="Redact a document (部分開示)").click()
    office.locator("#id_file").set_input_files(
        {"name": "設計書.pdf", "mimeType": "application/pdf", "buffer": pdfs.text_and_image()}
    )
    office.get_by_role("button", name="Upload the original").click()
    office.get_by_label("Words to redact everywhere").fill(pdfs.NAME)
    office.locator("#id_phrase-reason").fill(REASON)
    office.get_by_role("button", name="Add boxes").click()
    expect(office.get_by_text("2 boxes were added.")).to_be_visible()
    office.get_by_role("button", name="Apply the redaction").click()
    expect(office.get_by_role("heading", name="The redacted file")).to_be_visible()
    preview = office.get_by_role("img", name="Redacted file, page 1")
    expect(preview).to_be_visible()
    image = office.request.get(preview.get_attribute("src"))
    assert image.ok and image.body().startswith(b"\x89PNG")  # rendered from the redacted file
    released = ReleasedFile.objects.get()
    assert released.redacted

    # The clerk decides 部分開示; the decision mail says where to download.
    office.goto(reverse("disclosure_requests:action", args=["decide", filed.pk]))
    office.get_by_label("Disclosed in part").check()
    office.locator("#id_reason").fill(REASON)
    office.get_by_role("button", name="Make the decision").click()
    expect(office.get_by_text(f"{filed.number}: done.")).to_be_visible()
    decision = mails_to(resident.email)[-1]
    assert "部分開示" in decision.body_text
    assert "請求のページからダウンロードできます" in decision.body_text

    # The resident sees the redactions with their reasons and downloads the redacted file.
    page.goto(f"/my/disclosure/{filed.pk}/")
    expect(page.get_by_role("heading", name="不開示部分と理由")).to_be_visible()
    expect(page.get_by_role("cell", name=REASON).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert_no_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=released.name).click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    for text in (PdfReader(io.BytesIO(data)).pages[0].extract_text(), pdfminer_text(io.BytesIO(data))):
        squeezed = "".join(text.split())
        assert pdfs.NAME not in squeezed
        assert pdfs.KEPT in squeezed


@pytest.fixture
def settings_override(settings):
    """The clerk signs in with a password only (the second factor is covered by tests/portal/test_staff_groups.py)."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
