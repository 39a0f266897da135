"""Forms built by editors: answers are stored, staff and sender are told through the outbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.contrib.forms.models import FormSubmission

from cms.demo import publish
from cms.demo_translations import translate
from cms.models import FormField, FormPage, HomePage
from notifications.models import OutboundMail

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_page(home):  # noqa: F811
    return publish(
        home,
        FormPage(
            title="お問い合わせ",
            slug="contact",
            intro="町へのご意見・ご質問はこちらから。",
            thank_you_text="<p>送信ありがとうございました。担当課から連絡します。</p>",
            staff_email="soumu@town.example.jp",
            confirmation_field_name="メールアドレス",
            form_fields=[
                FormField(label="氏名", field_type="singleline", required=True),
                FormField(label="メールアドレス", field_type="email", required=True),
                FormField(label="内容", field_type="multiline", required=False),
            ],
        ),
    )


def names(page) -> dict[str, str]:
    return {field.label: field.clean_name for field in page.get_form_fields()}


def answers(page, **values) -> dict[str, str]:
    fields = names(page)
    data = {"氏名": "山田 太郎", "メールアドレス": "taro@example.jp", "内容": "ごみ収集日を\n教えてください。"}
    data.update(values)
    return {fields[label]: value for label, value in data.items()}


def test_form_page_renders_accessible_fields(client, form_page):
    body = client.get(form_page.url).content.decode()
    assert "novalidate" in body and "csrfmiddlewaretoken" in body
    assert '<button type="submit"' in body
    for label in ("氏名", "メールアドレス", "内容"):
        assert f">{label}</label>" in body
    assert 'type="email"' in body and "<textarea" in body


def test_valid_answer_is_stored_and_mailed_to_staff_and_sender(
    client, form_page, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_page.url, answers(form_page))
    assert response.status_code == 200
    assert "担当課から連絡します" in response.content.decode()

    submission = FormSubmission.objects.get(page=form_page)
    assert submission.get_data()[names(form_page)["氏名"]] == "山田 太郎"

    staff = OutboundMail.objects.get(idempotency_key=f"form:{submission.pk}:staff")
    confirm = OutboundMail.objects.get(idempotency_key=f"form:{submission.pk}:confirm")
    assert OutboundMail.objects.count() == 2
    assert {staff.status, confirm.status} == {OutboundMail.Status.SENT}
    assert staff.to_email == "soumu@town.example.jp" and staff.category == "form_submission_staff"
    assert confirm.to_email == "taro@example.jp" and confirm.category == "form_submission_confirmation"
    assert staff.language == confirm.language == "ja"
    assert "お問い合わせ" in staff.subject and "お問い合わせ" in confirm.subject
    for row in (staff, confirm):
        for text in ("氏名", "山田 太郎", "メールアドレス", "taro@example.jp", "ごみ収集日を\n教えてください。"):
            assert text in row.body_text
    admin_url = settings.WAGTAILADMIN_BASE_URL + reverse("wagtailforms:list_submissions", args=[form_page.id])
    assert admin_url in staff.body_text
    assert admin_url not in confirm.body_text, "the sender never sees the admin"
    assert sorted(m.to[0] for m in mail.outbox) == ["soumu@town.example.jp", "taro@example.jp"]


def test_answer_text_is_not_html_escaped_in_the_text_mail(client, form_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_page.url, answers(form_page, 内容='A&B <b>"太字"</b>'))
    staff = OutboundMail.objects.get(category="form_submission_staff")
    assert 'A&B <b>"太字"</b>' in staff.body_text
    assert "<b>" not in staff.body_html, "the HTML part escapes what the sender typed"


def test_confirmation_is_sent_in_the_language_of_the_page(client, form_page, django_capture_on_commit_callbacks):
    """A page's URL decides its language (cms.languages): the English form confirms in English and the
    Japanese one in Japanese, whatever language the sender chose elsewhere."""
    translate(form_page.get_parent(), "en", title="Midori Town", slug="home-en")
    english = translate(form_page, "en", title="Contact us", slug="contact")
    assert english.url == "/en/contact/"
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(english.url, answers(english))
        client.post(form_page.url, answers(form_page))
    confirmations = OutboundMail.objects.filter(category="form_submission_confirmation").order_by("pk")
    assert [sent.language for sent in confirmations] == ["en", "ja"]
    assert {sent.language for sent in OutboundMail.objects.filter(category="form_submission_staff")} == {"ja"}


def test_no_confirmation_without_a_confirmation_field(client, form_page, django_capture_on_commit_callbacks):
    form_page.confirmation_field_name = ""
    form_page.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_page.url, answers(form_page))
    assert list(OutboundMail.objects.values_list("category", flat=True)) == ["form_submission_staff"]


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"氏名": ""}, "この項目は必須です"),
        ({"メールアドレス": "taro-at-example"}, "有効なメールアドレスを入力してください。"),
    ],
)
def test_invalid_answer_shows_the_form_again_with_a_japanese_error(
    client, form_page, values, error, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(form_page.url, answers(form_page, **values))
    body = response.content.decode()
    assert response.status_code == 200
    assert error in body
    assert 'role="alert"' in body and "novalidate" in body
    assert "担当課から連絡します" not in body
    assert not FormSubmission.objects.exists()
    assert not OutboundMail.objects.exists() and not mail.outbox and not callbacks


def test_form_pages_go_where_standard_pages_go():
    assert FormPage in HomePage.allowed_subpage_models()
    assert FormPage.subpage_types == []
