"""The resident's pages (/my/disclosure/) and the 情報公開 staff admin: who sees what, what a form
does with bad input, and that internal staff notes never reach the requester."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from disclosure import services
from disclosure.models import Request, Status
from notifications.models import OutboundMail
from portal.models import AccessLog
from tests.disclosure.factories import RequestFactory
from tests.portal.factories import UserFactory

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


def test_a_resident_files_a_request_and_sees_the_receipt_number(client, clerk):
    resident = UserFactory()
    client.force_login(resident)
    assert client.get(reverse("portal:disclosure_new")).status_code == 200
    page = client.post(reverse("portal:disclosure_new"), FORM, follow=True)
    filed = Request.objects.get()
    assert filed.user == resident and filed.number.startswith("R20")
    html = page.content.decode()
    assert f"受付番号は {filed.number} です" in html
    assert "決定期限の計算" in html and "1日目として15日以内に決定" in html
    assert "（あと" in html and "日）" in html
    assert "請求の受付" in html and "filed" not in html  # the history shows labels, never codes
    assert OutboundMail.objects.filter(to_email="hanako@example.jp", subject__contains=filed.number).exists()
    listing = client.get(reverse("portal:disclosure")).content.decode()
    assert filed.number in listing and "受付" in listing
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("portal:disclosure_request", args=[filed.pk])}"' in dashboard


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"document": ""}, "この項目は必須です"),
        ({"requester_type": "organisation"}, "代表者の氏名を入力してください"),
        ({"email": "not-an-address"}, "有効なメールアドレスを入力してください。"),
        ({"document": "あ" * 4001}, "4000"),
        ({"preferred_form": "fax"}, "正しく選択してください"),
    ],
)
def test_bad_input_shows_a_japanese_message_and_changes_nothing(client, change, message):
    client.force_login(UserFactory())
    page = client.post(reverse("portal:disclosure_new"), {**FORM, **change})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Request.objects.exists() and not OutboundMail.objects.exists()


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
def test_others_get_404(client, disclosure_request, who):
    client.force_login(UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser"))
    pk = disclosure_request.pk
    assert client.get(reverse("portal:disclosure_request", args=[pk])).status_code == 404
    assert client.post(reverse("portal:disclosure_message", args=[pk]), {"body": "x"}).status_code == 404
    assert client.post(reverse("portal:disclosure_withdraw", args=[pk]), {"confirm": "on"}).status_code == 404
    assert disclosure_request.number not in client.get(reverse("portal:disclosure")).content.decode()
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED and not disclosure_request.messages.exists()


def test_anonymous_is_sent_to_sign_in(client, disclosure_request):
    page = client.get(reverse("portal:disclosure_request", args=[disclosure_request.pk]))
    assert page.status_code == 302 and "login" in page["Location"]


def test_internal_notes_never_reach_the_requester(client, disclosure_request, clerk):
    services.post_message(
        request=disclosure_request, by=clerk, body="担当課に確認中（内部）", from_staff=True, internal=True
    )
    services.post_message(request=disclosure_request, by=clerk, body="資料を確認しています。", from_staff=True)
    client.force_login(disclosure_request.user)
    html = client.get(reverse("portal:disclosure_request", args=[disclosure_request.pk])).content.decode()
    assert "資料を確認しています。" in html and "担当課に確認中" not in html and "内部メモ" not in html
    to_requester = OutboundMail.objects.filter(to_email=disclosure_request.email)
    assert to_requester.count() == 1 and "資料を確認しています。" in to_requester.get().body_text
    assert not OutboundMail.objects.filter(body_text__contains="担当課に確認中").exists()


def test_the_requester_answers_a_correction_by_message(client, disclosure_request, clerk):
    services.ask_correction(
        request=disclosure_request, by=clerk, body="対象期間を教えてください。", today=date(2026, 7, 6)
    )
    client.force_login(disclosure_request.user)
    html = client.get(reverse("portal:disclosure_request", args=[disclosure_request.pk])).content.decode()
    assert "対象期間を教えてください。" in html and "補正に答える" in html and "止まっています" in html
    page = client.post(
        reverse("portal:disclosure_message", args=[disclosure_request.pk]), {"body": "令和7年4月から"}, follow=True
    )
    assert "メッセージを送りました。" in page.content.decode()
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED and disclosure_request.due_date is not None
    assert OutboundMail.objects.filter(to_email=clerk.email, body_text__contains="令和7年4月から").exists()


def test_an_empty_message_changes_nothing(client, disclosure_request):
    client.force_login(disclosure_request.user)
    page = client.post(reverse("portal:disclosure_message", args=[disclosure_request.pk]), {"body": "  "})
    assert page.status_code == 400 and "この項目は必須です" in page.content.decode()
    assert not disclosure_request.messages.exists()


def test_the_requester_withdraws(client, disclosure_request):
    client.force_login(disclosure_request.user)
    url = reverse("portal:disclosure_withdraw", args=[disclosure_request.pk])
    assert client.post(url, {}).status_code == 200  # not confirmed: nothing happens
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED
    client.post(url, {"confirm": "on"})
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.WITHDRAWN


# --- Staff ---------------------------------------------------------------------------------
@pytest.fixture
def staff_client(client, clerk, settings):
    """The clerk signed in to the admin (the second factor is covered by tests/portal/test_staff_groups.py)."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(clerk)
    return client


def test_staff_list_flags_overdue_requests_and_logs_the_look(staff_client, clerk):
    client = staff_client
    late = RequestFactory(received_on=date(2020, 7, 1), due_date=date(2020, 7, 16), number="R2020-0009")
    late.status = Status.DISCLOSED
    late.save()
    assert "期限超過" not in client.get(reverse("disclosure_requests:index")).content.decode()  # decided: not late
    late.status = Status.RECEIVED
    late.save()
    page = client.get(reverse("disclosure_requests:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert late.number in html and "期限超過" in html
    assert f'href="{reverse("disclosure_requests:inspect", args=[late.pk])}"' in html
    RequestFactory(number="R2026-0077", seq=77)
    found = client.get(reverse("disclosure_requests:index"), {"q": "R2026-0077"}).content.decode()
    assert "R2026-0077" in found and late.number not in found
    assert AccessLog.objects.filter(staff=clerk, action="list").exists()


def test_staff_detail_shows_everything_and_is_logged(staff_client, disclosure_request, clerk):
    client = staff_client
    services.post_message(request=disclosure_request, by=clerk, body="内部の検討メモ", from_staff=True, internal=True)
    html = client.get(reverse("disclosure_requests:inspect", args=[disclosure_request.pk])).content.decode()
    assert disclosure_request.address in html and "内部の検討メモ" in html and "決定期限の計算" in html
    assert "補正を依頼する" in html and "決定する" in html and "開示の実施と費用を記録する" not in html
    assert AccessLog.objects.filter(staff=clerk, action="view", object_id=str(disclosure_request.pk)).exists()


def test_staff_decide_through_the_admin(staff_client, disclosure_request):
    client = staff_client
    url = reverse("disclosure_requests:action", args=["decide", disclosure_request.pk])
    page = client.post(url, {"outcome": Status.NOT_DISCLOSED, "reason": ""})
    assert page.status_code == 200 and "理由（条例の該当条項）を入力してください。" in page.content.decode()
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED
    client.post(url, {"outcome": Status.NOT_DISCLOSED, "reason": "条例第7条第4号"})
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.NOT_DISCLOSED
    page = client.post(
        reverse("disclosure_requests:action", args=["extend", disclosure_request.pk]), {"days": 5, "reason": "x"}
    )
    assert "この操作はできません" in page.content.decode()


def test_other_staff_cannot_open_the_disclosure_admin(client, disclosure_request, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(is_staff=True))
    for url in (
        reverse("disclosure_requests:inspect", args=[disclosure_request.pk]),
        reverse("disclosure_requests:action", args=["decide", disclosure_request.pk]),
    ):
        assert client.get(url).status_code in (302, 403)


def test_the_resident_pages_are_valid_html(client, disclosure_request, clerk, tmp_path):
    """The crawl of tests/test_html_valid.py meets no request; this checks the pages a requester sees."""
    from tests.test_html_valid import vnu_errors

    services.post_message(request=disclosure_request, by=clerk, body="資料を確認しています。", from_staff=True)
    services.ask_correction(request=disclosure_request, by=clerk, body="対象期間を教えてください。")
    client.force_login(disclosure_request.user)
    urls = [
        reverse("portal:disclosure"),
        reverse("portal:disclosure_new"),
        reverse("portal:disclosure_request", args=[disclosure_request.pk]),
        reverse("portal:disclosure_withdraw", args=[disclosure_request.pk]),
        reverse("portal:dashboard"),
    ]
    pages = {url: client.get(url).content.decode() for url in urls}
    assert vnu_errors(pages, tmp_path) == []


def test_staff_add_a_closed_day_in_the_admin_and_open_requests_move(
    staff_client, disclosure_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = staff_client.post(
            reverse("disclosure_closed_days:add"), {"date": "2026-07-16", "name": "庁舎の電気設備点検"}
        )
    assert page.status_code == 302
    disclosure_request.refresh_from_db()
    assert disclosure_request.due_date == date(2026, 7, 17)
    staff_client.force_login(disclosure_request.user)
    html = staff_client.get(reverse("portal:disclosure_request", args=[disclosure_request.pk])).content.decode()
    assert "2026年7月16日（木）は閉庁日（庁舎の電気設備点検）のため" in html and "期限の再計算" in html


def test_the_admin_dashboard_lists_overdue_and_nearly_due_requests(staff_client, client):
    late = RequestFactory(received_on=date(2020, 7, 1), due_date=date(2020, 7, 16), number="R2020-0009")
    later = RequestFactory(received_on=date(2099, 7, 1), due_date=date(2099, 7, 16), number="R2099-0001")
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "決定期限が近い情報公開請求" in html and late.number in html and later.number not in html
