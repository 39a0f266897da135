"""Staff attach and redact released files in the admin; the requester gets them (and the reasons) after the
decision; bad uploads are refused in Japanese with nothing saved; nobody else reaches anything."""

from __future__ import annotations

import io

import docx
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text as pdfminer_text
from pypdf import PdfReader

from disclosure import services
from disclosure.errors import DisclosureError
from disclosure.release import redaction
from disclosure.release import services as release
from disclosure.release.models import RedactionDraft, ReleasedFile
from notifications.models import OutboundMail
from portal.models import AccessLog
from portal.staff import SAFETY
from tests.disclosure.release import pdfs
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "第7条第2号（個人に関する情報）"


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def word_file() -> bytes:
    document = docx.Document()
    document.add_paragraph("公開する議事録")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def make_draft(request, clerk) -> RedactionDraft:
    return release.start_redaction(request=request, by=clerk, name="設計書.pdf", data=pdfs.text_and_image())


def released_redacted(request, clerk) -> ReleasedFile:
    draft = make_draft(request, clerk)
    release.add_phrase(draft=draft, by=clerk, phrase=pdfs.NAME, reason=REASON)
    return release.apply_redaction(draft=draft, by=clerk)


# --- The redaction tool in the admin ---------------------------------------------------------
def test_staff_redact_by_phrase_and_by_numbers_and_the_result_is_attached(client, clerk, disclosure_request):
    client.force_login(clerk)
    response = client.post(
        reverse("disclosure_redaction_start", args=[disclosure_request.pk]),
        {"file": upload("設計書.pdf", pdfs.text_and_image())},
    )
    draft = RedactionDraft.objects.get()
    assert response.status_code == 302 and response.url == reverse("disclosure_redaction", args=[draft.pk])
    assert not ReleasedFile.objects.exists(), "the original is never a released file"

    page = reverse("disclosure_redaction", args=[draft.pk])
    client.post(page, {"action": "phrase", "phrase-phrase": pdfs.NAME, "phrase-reason": REASON})
    assert sorted(draft.boxes.values_list("page", flat=True)) == [1, 2]
    client.post(
        page,
        {
            "action": "box",
            "box-page": 1,
            "box-x0": 100,
            "box-y0": 250,
            "box-x1": 200,
            "box-y1": 300,
            "box-reason": "第7条第3号（法人等に関する情報）",
        },
    )
    assert draft.boxes.count() == 3
    response = client.post(page, {"action": "apply", "apply-name": "設計書_部分開示"})
    assert response.status_code == 302

    released = ReleasedFile.objects.get()
    assert released.redacted and released.kind == "document" and released.name == "設計書_部分開示.pdf"
    with released.file.open("rb") as handle:
        output = handle.read()
    for text in (PdfReader(io.BytesIO(output)).pages[0].extract_text(), pdfminer_text(io.BytesIO(output))):
        assert pdfs.NAME not in "".join(text.split())
        assert pdfs.KEPT in "".join(text.split())

    # The preview of the result is rendered from the released file, not from the original.
    preview = client.get(reverse("disclosure_release_preview", args=[released.pk, 1]))
    assert preview["Content-Type"] == "image/png"
    assert preview.content == redaction.render_page(output, 1)
    assert preview.content != redaction.render_page(pdfs.text_and_image(), 1)
    detail = client.get(page)
    assert reverse("disclosure_release_preview", args=[released.pk, 1]) in detail.content.decode()


def test_a_phrase_not_in_the_text_and_a_box_off_the_page_are_refused(client, clerk, disclosure_request):
    draft = make_draft(disclosure_request, clerk)
    client.force_login(clerk)
    page = reverse("disclosure_redaction", args=[draft.pk])
    response = client.post(page, {"action": "phrase", "phrase-phrase": "鈴木一郎", "phrase-reason": REASON})
    assert response.status_code == 400
    assert "「鈴木一郎」はファイルの文字から見つかりません" in response.content.decode()
    response = client.post(
        page,
        {"action": "box", "box-page": 3, "box-x0": 0, "box-y0": 0, "box-x1": 10, "box-y1": 10, "box-reason": REASON},
    )
    assert "1から2までのページを選んでください。" in response.content.decode()
    assert not draft.boxes.exists()


def test_applying_again_replaces_the_earlier_result(clerk, disclosure_request):
    first = released_redacted(disclosure_request, clerk)
    draft = first.redaction
    release.add_box(draft=draft, by=clerk, page=1, x0=100, y0=250, x1=200, y1=300, reason=REASON)
    second = release.apply_redaction(draft=draft, by=clerk)
    assert list(ReleasedFile.objects.all()) == [second]


# --- Bad uploads -----------------------------------------------------------------------------
BAD = [
    ("setup.pdf", b"MZ\x90\x00\x03\x00 a program", "このファイルの種類は公開できません"),
    ("壊れた.pdf", b"%PDF-1.7\n1 0 obj broken", "このファイルは壊れていて読み取れません"),
    ("鍵付き.pdf", pdfs.encrypted(), "このPDFはパスワードで保護されています"),
    ("見た目はPDF.pdf", word_file(), "Word・Excelのファイルはそのまま公開されるため"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD)
def test_bad_attachments_are_refused_in_japanese_and_nothing_is_saved(
    client, clerk, disclosure_request, stored_files, name, data, message
):
    client.force_login(clerk)
    before = stored_files()
    response = client.post(
        reverse("disclosure_release_attach", args=[disclosure_request.pk]),
        {"kind": "document", "file": upload(name, data)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReleasedFile.objects.exists()
    assert stored_files() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 a program", "このファイルはPDFではありません（名前ではなく中身で判定しています）"),
        (pdfs.encrypted(), "このPDFはパスワードで保護されています"),
        (word_file(), "このファイルはPDFではありません"),
    ],
)
def test_bad_originals_for_redaction_are_refused_and_nothing_is_saved(
    client, clerk, disclosure_request, stored_files, data, message
):
    client.force_login(clerk)
    before = stored_files()
    response = client.post(
        reverse("disclosure_redaction_start", args=[disclosure_request.pk]), {"file": upload("原本.pdf", data)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RedactionDraft.objects.exists()
    assert stored_files() == before


def test_a_file_over_the_size_limit_is_refused(client, clerk, disclosure_request, settings):
    settings.DISCLOSURE_RELEASE_MAX_BYTES = 1024 * 1024
    client.force_login(clerk)
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    response = client.post(
        reverse("disclosure_release_attach", args=[disclosure_request.pk]),
        {"kind": "letter", "file": upload("a.pdf", big)},
    )
    assert "ファイルが1 MBを超えています" in response.content.decode()
    assert not ReleasedFile.objects.exists()


def test_a_word_file_is_released_as_it_is_only_for_a_full_disclosure(clerk, disclosure_request):
    with pytest.raises(DisclosureError):
        release.release_file(
            request=disclosure_request, by=clerk, kind="document", name="議事録.docx", data=word_file()
        )
    services.decide(request=disclosure_request, by=clerk, outcome="disclosed")
    released = release.release_file(
        request=disclosure_request, by=clerk, kind="document", name="議事録.docx", data=word_file()
    )
    assert released.content_type.endswith("wordprocessingml.document") and released.name == "議事録.docx"
    with pytest.raises(DisclosureError):  # a letter is a PDF
        release.release_file(request=disclosure_request, by=clerk, kind="letter", name="通知.docx", data=word_file())


def test_a_partial_disclosure_never_releases_an_unredacted_document(clerk, disclosure_request):
    release.release_file(
        request=disclosure_request, by=clerk, kind="document", name="原本.pdf", data=pdfs.text_and_image()
    )
    with pytest.raises(DisclosureError) as refused:
        services.decide(request=disclosure_request, by=clerk, outcome="partial", reason=REASON)
    assert refused.value.code == "needs_redaction"
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == "received"


def test_released_files_can_be_removed_until_publication(client, clerk, disclosure_request):
    letter = release.release_file(
        request=disclosure_request, by=clerk, kind="letter", name="通知書.pdf", data=pdfs.text_and_image()
    )
    document = released_redacted(disclosure_request, clerk)
    client.force_login(clerk)
    client.post(reverse("disclosure_release_remove", args=[letter.pk]))
    assert not ReleasedFile.objects.filter(pk=letter.pk).exists()
    disclosure_request.published_at = timezone.now()
    disclosure_request.save()
    client.post(reverse("disclosure_release_remove", args=[document.pk]))
    assert ReleasedFile.objects.filter(pk=document.pk).exists()


# --- The requester ---------------------------------------------------------------------------
def test_the_requester_gets_the_files_and_the_reasons_after_the_decision(client, clerk, disclosure_request):
    letter = release.release_file(
        request=disclosure_request, by=clerk, kind="letter", name="決定通知書.pdf", data=pdfs.text_and_image()
    )
    document = released_redacted(disclosure_request, clerk)
    page = reverse("portal:disclosure_request", args=[disclosure_request.pk])
    client.force_login(disclosure_request.user)
    before = client.get(page).content.decode()
    assert "決定通知書.pdf" not in before and "不開示部分と理由" not in before

    services.decide(request=disclosure_request, by=clerk, outcome="partial", reason=REASON)
    [mail] = OutboundMail.objects.filter(to_email=disclosure_request.email).order_by("-pk")[:1]
    assert "決定通知書と公開されたファイルは、請求のページからダウンロードできます。" in mail.body_text

    after = client.get(page).content.decode()
    assert "不開示部分と理由" in after and REASON in after
    assert pdfs.NAME not in after, "the redacted words are never shown"
    for released in (letter, document):
        url = reverse("disclosure_release:download", args=[released.pk, released.name])
        assert url in after
        assert client.get(url).status_code == 200


def test_a_decision_without_files_says_nothing_about_downloads(clerk, disclosure_request):
    services.decide(request=disclosure_request, by=clerk, outcome="not_disclosed", reason=REASON)
    [mail] = OutboundMail.objects.filter(to_email=disclosure_request.email).order_by("-pk")[:1]
    assert "ダウンロード" not in mail.body_text


@pytest.mark.parametrize("who", ["anonymous", "another resident"])
def test_another_resident_and_anonymous_get_404_on_the_request_and_its_files(client, clerk, disclosure_request, who):
    letter = release.release_file(
        request=disclosure_request, by=clerk, kind="letter", name="決定通知書.pdf", data=pdfs.text_and_image()
    )
    document = released_redacted(disclosure_request, clerk)
    services.decide(request=disclosure_request, by=clerk, outcome="partial", reason=REASON)
    if who == "another resident":
        client.force_login(UserFactory())
    response = client.get(reverse("portal:disclosure_request", args=[disclosure_request.pk]))
    assert response.status_code == (404 if who == "another resident" else 302)
    for released in (letter, document):
        assert client.get(reverse("disclosure_release:download", args=[released.pk, released.name])).status_code == 404


# --- Staff of other groups -------------------------------------------------------------------
def staff_urls(request, draft, released) -> list[tuple[str, str]]:
    return [
        ("get", reverse("disclosure_release_attach", args=[request.pk])),
        ("get", reverse("disclosure_redaction_start", args=[request.pk])),
        ("get", reverse("disclosure_redaction", args=[draft.pk])),
        ("get", reverse("disclosure_redaction_preview", args=[draft.pk, 1])),
        ("get", reverse("disclosure_redaction_original", args=[draft.pk])),
        ("get", reverse("disclosure_release_file", args=[released.pk])),
        ("get", reverse("disclosure_release_preview", args=[released.pk, 1])),
        ("post", reverse("disclosure_release_remove", args=[released.pk])),
        ("post", reverse("disclosure_redaction", args=[draft.pk])),
    ]


def test_staff_of_other_groups_and_residents_get_no_access_to_the_redaction_views(client, clerk, disclosure_request):
    released = released_redacted(disclosure_request, clerk)
    draft = released.redaction
    teacher = UserFactory(is_staff=True)
    teacher.groups.add(Group.objects.get(name=SAFETY))
    client.force_login(teacher)
    for method, url in staff_urls(disclosure_request, draft, released):
        response = getattr(client, method)(url)
        # Wagtail answers a refusal inside the admin with a redirect to the dashboard and a message.
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    client.force_login(disclosure_request.user)
    for method, url in staff_urls(disclosure_request, draft, released):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert ReleasedFile.objects.filter(pk=released.pk).exists()


def test_each_staff_look_at_an_original_is_logged(client, clerk, disclosure_request):
    draft = make_draft(disclosure_request, clerk)
    client.force_login(clerk)
    response = client.get(reverse("disclosure_redaction_original", args=[draft.pk]))
    with draft.original.open("rb") as handle:
        assert body(response) == handle.read()
    client.get(reverse("disclosure_redaction", args=[draft.pk]))
    logged = AccessLog.objects.filter(staff=clerk, object_type="disclosure.RedactionDraft", object_id=str(draft.pk))
    assert set(logged.values_list("action", flat=True)) >= {"download", "view"}


def test_a_file_attached_after_the_decision_is_announced_to_the_requester(clerk, disclosure_request):
    services.decide(request=disclosure_request, by=clerk, outcome="not_disclosed", reason=REASON)
    before = OutboundMail.objects.filter(to_email=disclosure_request.email).count()
    release.release_file(
        request=disclosure_request, by=clerk, kind="letter", name="決定通知書.pdf", data=pdfs.text_and_image()
    )
    [mail] = OutboundMail.objects.filter(to_email=disclosure_request.email).order_by("-pk")[:1]
    assert OutboundMail.objects.filter(to_email=disclosure_request.email).count() == before + 1
    assert "情報公開請求にファイルが追加されました。" in mail.body_text


def test_the_requests_admin_page_lists_released_files_and_drafts(client, clerk, disclosure_request):
    released = released_redacted(disclosure_request, clerk)
    client.force_login(clerk)
    page = client.get(reverse("disclosure_requests:inspect", args=[disclosure_request.pk])).content.decode()
    assert "交付ファイル" in page and released.name in page
    assert reverse("disclosure_redaction", args=[released.redaction.pk]) in page
    assert reverse("disclosure_redaction_start", args=[disclosure_request.pk]) in page
