"""Point 11 of issue 14, bad input on every resident disclosure page: a clear Japanese message on the
form with what was typed kept, or a 404; nothing is written."""

from __future__ import annotations

import io
import uuid

import pytest
from django.urls import URLPattern, reverse

from disclosure import urls as disclosure_urls
from disclosure.catalogue.models import CatalogueDocument, CatalogueFile
from disclosure.fees import services as fees
from disclosure.models import Event, Message, Request, Status
from notifications.models import OutboundMail
from portal.staff import DISCLOSURE
from tests.disclosure.factories import ReleasedFileFactory, RequestFactory
from tests.portal.factories import UserFactory
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db

FORM = {
    "requester_type": "individual",
    "name": "山田 花子",
    "address": "みどり町本町1-2-3",
    "email": "hanako@example.jp",
    "phone": "",
    "document": "令和7年度 町道改良工事の設計書",
    "preferred_form": "copy",
    "purpose": "",
}


def _rows():
    return {
        "requests": Request.objects.count(),
        "events": Event.objects.count(),
        "messages": Message.objects.count(),
        "mails": OutboundMail.objects.count(),
    }


# --- Every URL: anonymous → sign in or 404, another resident → 404 ---------------------------------
def _named_urls():
    names = [p.name for p in disclosure_urls.urlpatterns if isinstance(p, URLPattern)]
    assert "disclosure_invoice" in names  # the invoice is walked too
    return names


def _url(name, request, file):
    if name == "disclosure_release_download":
        return reverse("disclosure_release:download", args=[file.pk, file.name])
    try:
        return reverse(f"portal:{name}", args=[request.pk])
    except Exception:  # noqa: BLE001 - the list and the form take no id
        return reverse(f"portal:{name}")


@pytest.fixture
def owned(clerk):
    """A released request with an invoice and a released document: every page of it exists."""
    request = RequestFactory(status=Status.PARTIAL, reason="条例第7条第2号")
    fees.issue_invoice(request=request, by=clerk, monochrome_pages=3)
    return request, ReleasedFileFactory(request=request)


ALL_NAMES = [*_named_urls(), "disclosure_release_download"]


@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in_or_gets_404(client, owned, name, method):
    url = _url(name, *owned)
    before = _rows()
    response = getattr(client, method)(url, {"body": "x", "confirm": "on", **FORM})
    if name == "disclosure_release_download":
        assert response.status_code in (404, 405)
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert _rows() == before


@pytest.mark.parametrize("name", [n for n in ALL_NAMES if n not in ("disclosure", "disclosure_new")])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_resident_gets_404_for_every_page_of_a_request(client, owned, name, method):
    client.force_login(UserFactory())
    before = _rows()
    response = getattr(client, method)(_url(name, *owned), {"body": "横取り", "confirm": "on", "reason": "x"})
    assert response.status_code in (
        (404, 405) if name == "disclosure_release_download" and method == "post" else (404,)
    )
    assert _rows() == before


@pytest.mark.parametrize("name", [n for n in _named_urls() if n not in ("disclosure", "disclosure_new")])
def test_a_request_id_that_does_not_exist_is_404(client, name):
    client.force_login(UserFactory())
    assert client.get(reverse(f"portal:{name}", args=[999_999])).status_code == 404


def test_the_list_shows_only_ones_own_requests(client, owned):
    request, _file = owned
    client.force_login(UserFactory())
    assert request.number not in client.get(reverse("portal:disclosure")).content.decode()


# --- The request form -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"document": "   \n\u3000 "}, "空白だけでは入力になりません"),
        ({"name": "   "}, "空白だけでは入力になりません"),
        ({"address": ""}, "この項目は必須です"),
        ({"document": "あ" * 4001}, "4000文字以内で入力してください（いま4001文字）"),
        ({"purpose": "い" * 4005}, "4000文字以内で入力してください（いま4005文字）"),
        ({"name": "花" * 201}, "200文字以内"),
        ({"document": "設計書\x00"}, "制御文字"),
        ({"document": "設計書\x1b[31m"}, "制御文字"),
        ({"name": "山田\u202e子花"}, "制御文字"),
        ({"purpose": "確認\x07のため"}, "制御文字"),
    ],
)
def test_bad_request_form_input_keeps_what_was_typed_and_writes_nothing(client, change, message):
    client.force_login(UserFactory())
    before = _rows()
    page = client.post(reverse("portal:disclosure_new"), {**FORM, **change})
    html = page.content.decode()
    assert page.status_code == 200 and message in html
    assert 'role="alert"' in html
    kept = {k: v for k, v in {**FORM, **change}.items() if k not in change and v}
    for value in kept.values():
        assert value in html  # the other fields are still filled in
    assert _rows() == before


def test_the_form_sent_twice_files_one_request(client, clerk):
    resident = UserFactory()
    client.force_login(resident)
    form = client.get(reverse("portal:disclosure_new")).content.decode()
    token = form.split('name="submission_token" value="', 1)[1].split('"', 1)[0]
    assert uuid.UUID(token)
    first = client.post(reverse("portal:disclosure_new"), {**FORM, "submission_token": token})
    mails = OutboundMail.objects.count()
    second = client.post(reverse("portal:disclosure_new"), {**FORM, "submission_token": token})
    filed = Request.objects.get()
    assert first["Location"] == second["Location"] == reverse("portal:disclosure_request", args=[filed.pk])
    assert OutboundMail.objects.count() == mails and filed.events.count() == 1
    other = client.get(reverse("portal:disclosure_new")).content.decode()
    assert token not in other  # a new form, a new token: a second request is possible on purpose


def test_someone_elses_form_token_files_nothing(client, clerk):
    token = uuid.uuid4()
    client.force_login(UserFactory())
    client.post(reverse("portal:disclosure_new"), {**FORM, "submission_token": str(token)})
    client.force_login(UserFactory())
    before = _rows()
    page = client.post(reverse("portal:disclosure_new"), {**FORM, "submission_token": str(token)})
    assert page.status_code == 200 and "もう一度開いて" in page.content.decode()
    assert FORM["document"] in page.content.decode() and _rows() == before


# --- Message and withdrawal ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "空白だけでは入力になりません"),
        ("あ" * 4001, "4000文字以内"),
        ("確認\x1bお願いします", "制御文字"),
    ],
)
def test_a_bad_message_is_refused_with_the_text_kept(client, disclosure_request, body, message):
    client.force_login(disclosure_request.user)
    before = _rows()
    page = client.post(reverse("portal:disclosure_message", args=[disclosure_request.pk]), {"body": body})
    html = page.content.decode()
    assert page.status_code == 400 and message in html
    if body.strip():
        assert body[:50].replace("\x1b", "") in html.replace("\x1b", "") or "確認" in html
    assert _rows() == before


def test_opening_the_message_address_leads_to_the_request(client, disclosure_request):
    client.force_login(disclosure_request.user)
    url = reverse("portal:disclosure_message", args=[disclosure_request.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:disclosure_request", args=[disclosure_request.pk])
    assert not Message.objects.exists()


def test_withdrawal_without_the_confirmation_or_with_a_long_reason_changes_nothing(client, disclosure_request):
    client.force_login(disclosure_request.user)
    url = reverse("portal:disclosure_withdraw", args=[disclosure_request.pk])
    page = client.post(url, {"reason": "都合により"})
    assert page.status_code == 200 and "この項目は必須です" in page.content.decode()
    assert "都合により" in page.content.decode()
    page = client.post(url, {"reason": "え" * 4001, "confirm": "on"})
    assert "4000文字以内" in page.content.decode()
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED and not Event.objects.exists()


def test_withdrawing_a_decided_request_says_why_not(client):
    decided = RequestFactory(status=Status.DISCLOSED)
    client.force_login(decided.user)
    page = client.post(reverse("portal:disclosure_withdraw", args=[decided.pk]), {"confirm": "on", "reason": ""})
    assert page.status_code == 200 and "できません" in page.content.decode()
    decided.refresh_from_db()
    assert decided.status == Status.DISCLOSED


# --- Files ------------------------------------------------------------------------------------
def test_residents_upload_no_files_in_disclosure():
    """No resident form of the app takes a file; the one upload is the staff's bulk import, below."""
    from disclosure import forms

    resident_forms = [forms.RequestForm, forms.MessageForm, forms.WithdrawForm]
    for form in resident_forms:
        assert not any(f.widget.needs_multipart_form for f in form.base_fields.values())


def test_the_staff_bulk_import_refuses_an_exe_renamed_pdf_by_its_bytes(client):
    mfa_staff(client, DISCLOSURE)
    listing = io.BytesIO(
        "文書番号,件名,担当課,作成日,決裁日,保存期間,公開区分,キーワード,ファイル\n"
        "総第9号,偽装ファイル,総務課,2024-04-01,,5年,公開,,setup.pdf\n".encode()
    )
    listing.name = "list.csv"
    disguised = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64)
    disguised.name = "setup.pdf"
    page = client.post("/admin/disclosure/catalogue/upload/", {"csv": listing, "files": [disguised]})
    assert page.status_code == 200 and "setup.pdf" in page.content.decode()
    assert CatalogueDocument.objects.count() == 0 and CatalogueFile.objects.count() == 0
