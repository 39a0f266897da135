"""The appeal and the department in charge on the pages: the requester sees the appeal on their request,
nobody else does; staff record each step and the department from the request's admin page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.appeals import services
from disclosure.appeals.models import Appeal, AppealOutcome, AppealStatus
from disclosure.catalogue.models import CatalogueDocument, Category, Retention
from disclosure.models import EventKind, Status
from notifications.models import OutboundMail
from portal.models import AccessLog
from tests.disclosure.factories import RequestFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(db):
    today = timezone.localdate()
    return RequestFactory(status=Status.NOT_DISCLOSED, decided_on=today, reason="条例第7条第2号")


@pytest.fixture
def staff_client(client, clerk, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(clerk)
    return client


def test_the_requester_sees_the_period_then_the_appeal_and_its_state(client, decided):
    client.force_login(decided.user)
    url = reverse("portal:disclosure_request", args=[decided.pk])
    html = client.get(url).content.decode()
    assert "審査請求" in html and "町に審査請求をすることができます" in html
    appeal = services.file_appeal(
        request=decided, by=None, filed_on=decided.decided_on, grounds="理由の説明が不十分です。"
    )
    services.refer(appeal=appeal, by=None, referred_on=decided.decided_on)
    html = client.get(url).content.decode()
    assert "理由の説明が不十分です。" in html and "審査会に諮問中" in html and "諮問日" in html
    assert "審査会への諮問" in html  # the history line
    assert "町に審査請求をすることができます" not in html  # one open appeal at a time


def test_after_the_period_the_requester_is_no_longer_invited_to_appeal(client):
    late = RequestFactory(status=Status.DISCLOSED, decided_on=date(2020, 7, 1))
    client.force_login(late.user)
    html = client.get(reverse("portal:disclosure_request", args=[late.pk])).content.decode()
    assert "審査請求の期間は2020年10月1日(木)まででした。" in html and "町に審査請求をすることができます" not in html


def test_an_undecided_request_shows_no_appeal_section(client, disclosure_request):
    client.force_login(disclosure_request.user)
    html = client.get(reverse("portal:disclosure_request", args=[disclosure_request.pk])).content.decode()
    assert "審査請求" not in html


@pytest.mark.parametrize("who", ["other_resident", "staff"])
def test_another_resident_or_staff_get_404_for_the_appeal(client, decided, who):
    services.file_appeal(request=decided, by=None, filed_on=decided.decided_on, grounds="見せてはいけない理由")
    client.force_login(UserFactory(is_staff=who == "staff"))
    page = client.get(reverse("portal:disclosure_request", args=[decided.pk]))
    assert page.status_code == 404 and "見せてはいけない理由" not in page.content.decode()


def test_anonymous_is_sent_to_sign_in(client, decided):
    page = client.get(reverse("portal:disclosure_request", args=[decided.pk]))
    assert page.status_code == 302 and "login" in page["Location"]


def test_staff_record_every_step_from_the_request_page(staff_client, decided, clerk):
    client = staff_client
    detail = reverse("disclosure_requests:inspect", args=[decided.pk])
    html = client.get(detail).content.decode()
    file_url = reverse("disclosure_appeal_step", args=["file", decided.pk])
    assert "審査請求はありません。" in html and f'href="{file_url}"' in html and "審査請求期間：" in html
    assert client.get(file_url).status_code == 200
    assert AccessLog.objects.filter(staff=clerk, action="view", object_id=str(decided.pk)).count() == 2

    today = timezone.localdate()
    page = client.post(file_url, {"filed_on": today.isoformat(), "grounds": ""})
    assert page.status_code == 200 and not Appeal.objects.exists()
    client.post(file_url, {"filed_on": today.isoformat(), "grounds": "開示を求めます。"})
    appeal = Appeal.objects.get()
    html = client.get(detail).content.decode()
    refer_url = reverse("disclosure_appeal_step", args=["refer", appeal.pk])
    assert "開示を求めます。" in html and f'href="{refer_url}"' in html and f'href="{file_url}"' not in html

    client.post(refer_url, {"referred_on": today.isoformat()})
    client.post(reverse("disclosure_appeal_step", args=["report", appeal.pk]), {"report_on": today.isoformat()})
    page = client.post(
        reverse("disclosure_appeal_step", args=["decide", appeal.pk]),
        {"outcome": AppealOutcome.DENIED, "decided_on": today.isoformat(), "note": ""},
    )
    assert "裁決の理由を入力してください。" in page.content.decode()
    client.post(
        reverse("disclosure_appeal_step", args=["decide", appeal.pk]),
        {"outcome": AppealOutcome.DENIED, "decided_on": today.isoformat(), "note": "原処分は妥当"},
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DECIDED and appeal.outcome == AppealOutcome.DENIED
    assert OutboundMail.objects.filter(to_email=decided.email).count() == 4
    assert "棄却" in client.get(detail).content.decode()


def test_a_refused_step_shows_the_message_and_changes_nothing(staff_client, decided):
    appeal = services.file_appeal(request=decided, by=None, filed_on=decided.decided_on, grounds="理由")
    page = staff_client.post(
        reverse("disclosure_appeal_step", args=["report", appeal.pk]),
        {"report_on": timezone.localdate().isoformat()},
    )
    assert page.status_code == 200 and "この操作はできません" in page.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FILED


def test_other_staff_cannot_record_appeals(client, decided, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(is_staff=True))
    url = reverse("disclosure_appeal_step", args=["file", decided.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"filed_on": "2026-07-01", "grounds": "x"}).status_code in (302, 403)
    assert not Appeal.objects.exists()


def test_staff_set_the_department_with_the_catalogues_names_suggested(staff_client, disclosure_request, clerk):
    for number, department in (("総第1号", "総務課"), ("建第1号", "建設課"), ("建第2号", "建設課")):
        CatalogueDocument.objects.create(
            file_number=number,
            title="文書",
            department=department,
            created_on=date(2026, 5, 1),
            fiscal_year=2026,
            retention=Retention.FIVE,
            category=Category.PUBLIC,
        )
    client = staff_client
    detail = reverse("disclosure_requests:inspect", args=[disclosure_request.pk])
    url = reverse("disclosure_requests:action", args=["department", disclosure_request.pk])
    assert f'href="{url}"' in client.get(detail).content.decode()
    form = client.get(url).content.decode()
    assert 'list="id_department-suggestions"' in form and '<datalist id="id_department-suggestions">' in form
    assert '<option value="総務課">' in form and form.count('<option value="建設課">') == 1
    client.post(url, {"department": " 建設課 "})
    client.post(url, {"department": "まちづくり推進室"})  # free text is fine
    disclosure_request.refresh_from_db()
    assert disclosure_request.department == "まちづくり推進室"
    events = list(disclosure_request.events.filter(kind=EventKind.DEPARTMENT))
    assert [e.note for e in events] == ["建設課", "建設課 → まちづくり推進室"] and events[0].actor == clerk
    assert "まちづくり推進室" in client.get(url).content.decode()  # the form starts from the current name
    assert not OutboundMail.objects.filter(to_email=disclosure_request.email).exists()
    page = client.post(url, {"department": "   "})
    assert page.status_code == 200
    assert disclosure_request.events.filter(kind=EventKind.DEPARTMENT).count() == 2


def test_the_department_form_needs_the_change_permission(client, disclosure_request, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(is_staff=True))
    url = reverse("disclosure_requests:action", args=["department", disclosure_request.pk])
    assert client.post(url, {"department": "総務課"}).status_code in (302, 403)
    disclosure_request.refresh_from_db()
    assert disclosure_request.department == ""


def test_the_requesters_page_with_an_appeal_is_valid_html(client, decided, tmp_path):
    from tests.test_html_valid import vnu_errors

    appeal = services.file_appeal(request=decided, by=None, filed_on=decided.decided_on, grounds="理由\n二行目")
    services.decide(appeal=appeal, by=None, outcome=AppealOutcome.DISMISSED, decided_on=decided.decided_on, note="却下")
    services.file_appeal(request=decided, by=None, filed_on=decided.decided_on, grounds="もう一度")
    client.force_login(decided.user)
    url = reverse("portal:disclosure_request", args=[decided.pk])
    assert vnu_errors({url: client.get(url).content.decode()}, tmp_path) == []
