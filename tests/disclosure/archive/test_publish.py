"""Issue 14, point 7: 情報公開 staff publish decided requests — never an undecided one, never with the
requester's identity in the text — and can take them out again, after which nothing is public."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from disclosure.archive import services
from disclosure.errors import DisclosureError
from disclosure.models import Event, EventKind, Status
from portal.models import AccessLog
from portal.staff import ALL_GROUPS, DISCLOSURE
from tests.disclosure.archive.conftest import IDENTITY
from tests.disclosure.factories import ReleasedFileFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def released_url(file) -> str:
    return reverse("disclosure_release:download", args=[file.pk, file.name])


def test_staff_publish_a_decided_request_and_it_is_in_its_history(decided, clerk, publish):
    publish(decided, title="町道改良工事の設計書", text="令和7年度 町道改良工事の設計書一式")
    decided.refresh_from_db()
    assert decided.published_at is not None
    assert (decided.public_title, decided.public_text) == ("町道改良工事の設計書", "令和7年度 町道改良工事の設計書一式")
    event = decided.events.get(kind=EventKind.PUBLISHED)
    assert event.actor == clerk and event.get_kind_display() == "公開アーカイブに掲載"


def test_the_form_starts_from_the_request_text_and_then_from_what_was_published(decided, publish):
    assert services.prefill(decided)["text"] == decided.document
    publish(decided, title="設計書", text="設計書一式")
    assert services.prefill(decided) == {"title": "設計書", "text": "設計書一式"}


@pytest.mark.parametrize("status", [Status.DISCLOSED, Status.NOT_DISCLOSED, Status.NONEXISTENT, Status.NEITHER])
def test_every_decision_can_be_published(make_decided, publish, status):
    assert publish(make_decided(status)).published_at is not None


def test_a_request_whose_disclosure_was_carried_out_can_be_published(make_decided, publish):
    assert publish(make_decided(Status.IMPLEMENTED, decision=Status.DISCLOSED)).published_at is not None


@pytest.mark.parametrize(
    "status",
    [Status.RECEIVED, Status.CORRECTION, Status.EXTENDED, Status.WITHDRAWN, Status.TRANSFERRED, Status.REJECTED],
)
def test_a_request_without_a_decision_is_never_published(make_decided, publish, status):
    request = make_decided(status)
    with pytest.raises(DisclosureError) as refused:
        publish(request)
    assert refused.value.code == "not_decided"
    request.refresh_from_db()
    assert request.published_at is None and request.public_title == ""
    assert not request.events.filter(kind=EventKind.PUBLISHED).exists()


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("山田 花子さんからの請求", "name"),
        ("請求者 山田花子", "name"),  # without the space
        ("請求者：山田　花子", "name"),  # a full-width space
        ("連絡先 HANAKO.YAMADA@example.jp", "email"),
        ("電話 09012345678 まで", "phone"),  # no separators
        ("電話（090）1234−5678", "phone"),  # other separators
        ("みどり町本町１－２－３の土地", "address"),  # full-width digits and dash
    ],
)
def test_a_text_naming_the_requester_is_refused_and_nothing_is_written(decided, publish, text, what):
    with pytest.raises(DisclosureError) as refused:
        publish(decided, text=f"町道の設計書。{text}")
    assert refused.value.code == "identity_in_text"
    assert refused.value.extra["found"] == [what]
    assert "請求者の" in refused.value.message and "公開しません" in refused.value.message
    decided.refresh_from_db()
    assert decided.published_at is None and decided.public_text == ""
    assert not Event.objects.filter(request=decided, kind=EventKind.PUBLISHED).exists()


def test_the_name_in_the_title_is_refused_too(decided, publish):
    with pytest.raises(DisclosureError, match="氏名"):
        publish(decided, title="山田花子氏の請求")


def test_other_numbers_and_names_are_not_mistaken_for_the_requester(decided, publish):
    text = "山田町の町道（延長1,234m、工期 2026-05-01〜2026-12-28）と花子橋の補修設計書。問合せ 0123-45-6789"
    assert publish(decided, text=text).published_at is not None


def test_editing_a_published_request_keeps_its_date_and_says_so_in_the_history(decided, publish):
    first = publish(decided).published_at
    publish(decided, title="町道改良工事 設計書（修正）")
    decided.refresh_from_db()
    assert decided.published_at == first and decided.public_title == "町道改良工事 設計書（修正）"
    assert decided.events.filter(kind=EventKind.PUBLICATION_EDITED).count() == 1


def test_unpublishing_needs_a_reason_and_a_published_request(decided, clerk, publish):
    with pytest.raises(DisclosureError) as refused:
        services.unpublish(request=decided, by=clerk, reason="誤り")
    assert refused.value.code == "not_published"
    publish(decided)
    with pytest.raises(DisclosureError):
        services.unpublish(request=decided, by=clerk, reason=" ")
    services.unpublish(request=decided, by=clerk, reason="第三者の情報が含まれていたため")
    decided.refresh_from_db()
    assert decided.published_at is None
    assert decided.events.get(kind=EventKind.UNPUBLISHED).note == "第三者の情報が含まれていたため"


def test_after_unpublishing_the_documents_are_404_again_by_their_direct_link(client, decided, clerk, publish):
    document = ReleasedFileFactory(request=decided)
    letter = ReleasedFileFactory(request=decided, kind="letter", name="決定通知書.pdf")
    assert client.get(released_url(document)).status_code == 404
    publish(decided)
    assert client.get(released_url(document)).status_code == 200
    assert client.get(released_url(letter)).status_code == 404  # a letter never
    services.unpublish(request=decided, by=clerk, reason="誤り")
    assert client.get(released_url(document)).status_code == 404
    assert client.get(reverse("disclosure_archive:detail", args=[decided.pk])).status_code == 404


# --- The staff page ---------------------------------------------------------------------------------
@pytest.fixture
def staff_client(client, clerk, settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    client.force_login(clerk)
    return client


def test_staff_publish_from_the_request_admin_page(staff_client, decided, clerk):
    client = staff_client
    detail = client.get(reverse("disclosure_requests:inspect", args=[decided.pk])).content.decode()
    url = reverse("disclosure_requests:publication", args=[decided.pk])
    assert f'href="{url}"' in detail and "公開していません。" in detail
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "請求者（山田 花子）は公開しません" in html
    assert "令和7年度 町道改良工事の設計書（山田 花子が請求）" in html  # the form starts from the request
    assert AccessLog.objects.filter(staff=clerk, action="view", object_id=str(decided.pk)).exists()

    refused = client.post(url, {"publish-title": "設計書", "publish-text": decided.document})
    assert refused.status_code == 200 and "件名または本文に請求者の氏名が含まれています。" in refused.content.decode()
    decided.refresh_from_db()
    assert decided.published_at is None

    done = client.post(url, {"publish-title": "町道改良工事の設計書", "publish-text": "令和7年度 町道改良工事の設計書"})
    assert done.status_code == 302
    decided.refresh_from_db()
    assert decided.published_at is not None
    detail = client.get(reverse("disclosure_requests:inspect", args=[decided.pk])).content.decode()
    assert reverse("disclosure_archive:detail", args=[decided.pk]) in detail

    client.post(url, {"unpublish-reason": "請求者の申出により"})
    decided.refresh_from_db()
    assert decided.published_at is None


def test_the_admin_page_offers_no_publication_for_an_open_request(staff_client, disclosure_request):
    detail = staff_client.get(reverse("disclosure_requests:inspect", args=[disclosure_request.pk])).content.decode()
    assert reverse("disclosure_requests:publication", args=[disclosure_request.pk]) not in detail
    page = staff_client.get(reverse("disclosure_requests:publication", args=[disclosure_request.pk]))
    assert "公開できるのは決定済みの請求だけです。" in page.content.decode()


@pytest.mark.parametrize("group", [g for g in ALL_GROUPS if g != DISCLOSURE])
def test_staff_of_other_groups_never_see_the_requester(client, decided, settings, group):
    """The requester's identity is on the request's admin pages only, which only 情報公開 staff open."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    other = UserFactory(is_staff=True)
    other.groups.add(Group.objects.get(name=group))
    client.force_login(other)
    for url in (
        reverse("disclosure_requests:index"),
        reverse("disclosure_requests:inspect", args=[decided.pk]),
        reverse("disclosure_requests:publication", args=[decided.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert IDENTITY["address"] not in response.content.decode()
    response = client.post(
        reverse("disclosure_requests:publication", args=[decided.pk]),
        {"publish-title": "設計書", "publish-text": "設計書"},
    )
    assert response.status_code in (302, 403)
    decided.refresh_from_db()
    assert decided.published_at is None


def test_the_name_and_reading_of_the_requester_account_are_refused_too(decided, publish):
    decided.user = UserFactory(
        family_name="佐藤", given_name="一郎", family_name_kana="サトウ", given_name_kana="イチロウ"
    )
    decided.save()
    for text in ("佐藤一郎さんの請求", "さとう いちろう", f"連絡先 {decided.user.email}"):
        with pytest.raises(DisclosureError, match="請求者の"):
            publish(decided, text=text)


def test_a_one_character_name_does_not_refuse_every_text(make_decided, publish):
    request = make_decided(name="A", requester_type="organisation")
    assert publish(request, text="A地区の道路台帳").published_at is not None
