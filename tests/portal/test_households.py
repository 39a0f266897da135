"""Households: members, sharing with a second guardian by invitation, and who may see what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from notifications.models import OutboundMail
from portal import selectors
from portal.models import HouseholdMember, Invitation, MemberGuardian
from tests.portal.factories import HouseholdFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MemberFactory(given_name="太郎")


@pytest.fixture
def owner(member):
    return member.household.owner


def invite(client, owner, member, email="second@example.jp", capture=None):
    client.force_login(owner)
    return client.post(reverse("portal:member_invite", args=[member.pk]), {"email": email})


def invitation_link(mail_row: OutboundMail) -> str:
    return re.search(r"https?://[^\s]+/my/household/invitations/accept/[^\s]+/", mail_row.body_text).group(0)


def member_urls(member_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("portal:member_detail", args=[member_id])),
        ("get", reverse("portal:member_edit", args=[member_id])),
        ("post", reverse("portal:member_edit", args=[member_id])),
        ("get", reverse("portal:member_delete", args=[member_id])),
        ("post", reverse("portal:member_delete", args=[member_id])),
        ("get", reverse("portal:member_invite", args=[member_id])),
        ("post", reverse("portal:member_invite", args=[member_id])),
    ]


def test_resident_adds_a_child_and_sees_it_on_the_dashboard(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("portal:member_add"),
        {
            "family_name": "山田",
            "given_name": "花",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "ハナ",
            "relationship": "child",
            "birth_date": "2018-04-02",
        },
    )
    member = HouseholdMember.objects.get(household__owner=user)
    assert response.url == reverse("portal:member_detail", args=[member.pk])
    assert "山田 花" in client.get(reverse("portal:dashboard")).content.decode()


def test_bad_member_input_is_explained_and_saves_nothing(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("portal:member_add"),
        {
            "family_name": "",
            "given_name": "花",
            "given_name_kana": "hana",
            "relationship": "child",
            "birth_date": "2018-13-40",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    with translation.override("ja"):
        required, bad_date = gettext("This field is required."), gettext("Enter a valid date.")
    assert required != "This field is required." and required in body
    assert bad_date in body
    assert HouseholdMember.objects.count() == 0


def test_another_resident_gets_404_on_every_member_url(client, member):
    client.force_login(UserFactory())
    for method, url in member_urls(member.pk):
        assert getattr(client, method)(url).status_code == 404, f"{method} {url}"
    assert HouseholdMember.objects.filter(pk=member.pk).exists()
    assert "太郎" not in client.get(reverse("portal:household")).content.decode()


def test_another_resident_gets_404_on_invitations_and_shares(client, owner, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, member)
    invitation = Invitation.objects.get()
    share = MemberGuardian.objects.create(member=member, user=UserFactory())
    client.force_login(UserFactory())
    assert client.post(reverse("portal:invitation_revoke", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("portal:share_remove", args=[share.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert MemberGuardian.objects.filter(pk=share.pk).exists()


def test_anonymous_visitors_are_sent_to_login(client, member):
    urls = [url for _method, url in member_urls(member.pk)] + [
        reverse("portal:dashboard"),
        reverse("portal:household"),
        reverse("portal:member_add"),
        reverse("portal:profile"),
        reverse("portal:account_delete"),
        reverse("portal:invitation_accept", args=["sometoken"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url


def test_second_guardian_accepts_from_the_mail_and_shares_the_child(
    client, owner, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, owner, member, email="Second@Example.jp")
    assert response.status_code == 302
    row = OutboundMail.objects.get(category="household_invitation")
    assert row.to_email == "second@example.jp"
    assert row.status == OutboundMail.Status.SENT
    assert "太郎" in row.subject
    link = invitation_link(row)

    second = UserFactory(email="second@example.jp")
    client.force_login(second)
    path = link.split("testserver", 1)[1]
    assert "山田 太郎" in client.get(path).content.decode()
    response = client.post(path)
    assert response.url == reverse("portal:member_detail", args=[member.pk])
    assert [g.email for g in selectors.guardians_of(member)] == [owner.email, second.email]
    detail = client.get(reverse("portal:member_detail", args=[member.pk]))
    assert detail.status_code == 200
    # A guardian sees the child but may not edit, delete or invite: those stay with the owner.
    assert client.get(reverse("portal:member_edit", args=[member.pk])).status_code == 404
    # The link works once.
    assert client.post(path).status_code == 400


@pytest.mark.parametrize("language", ["ja", "en"])
def test_expired_invitation_is_explained_and_shares_nothing(
    client, owner, member, language, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, member)
    link = invitation_link(OutboundMail.objects.get(category="household_invitation"))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(UserFactory(email="second@example.jp"))
    client.cookies["django_language"] = language
    response = client.post(link.split("testserver", 1)[1])
    assert response.status_code == 400
    expected = "期限" if language == "ja" else "This invitation has expired."
    assert expected in response.content.decode()
    assert not MemberGuardian.objects.exists()


def test_invitation_for_another_address_cannot_be_accepted(client, owner, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, member, email="second@example.jp")
    link = invitation_link(OutboundMail.objects.get(category="household_invitation"))
    intruder = UserFactory(email="intruder@example.jp")
    EmailAddress.objects.create(user=intruder, email="second@example.jp", verified=False)  # unverified claim
    client.force_login(intruder)
    response = client.post(link.split("testserver", 1)[1])
    assert response.status_code == 400
    assert not MemberGuardian.objects.exists()


def test_unknown_invitation_token_is_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("portal:invitation_accept", args=["not-a-real-token"])).status_code == 404


def test_inviting_yourself_or_a_bad_address_is_explained(client, owner, member):
    response = invite(client, owner, member, email=owner.email)
    assert response.status_code == 200
    assert not Invitation.objects.exists()
    response = invite(client, owner, member, email="not an address")
    assert "有効なメールアドレスを入力してください。" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not OutboundMail.objects.exists()


def test_owner_can_withdraw_an_invitation_and_stop_sharing(client, owner, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, owner, member)
    invitation = Invitation.objects.get()
    client.post(reverse("portal:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    share = MemberGuardian.objects.create(member=member, user=UserFactory())
    client.post(reverse("portal:share_remove", args=[share.pk]))
    assert not MemberGuardian.objects.exists()


def test_household_page_query_count_does_not_grow_with_members(client, django_assert_max_num_queries):
    household = HouseholdFactory()
    user = household.owner
    for i in range(15):
        m = MemberFactory(household=household, given_name=f"子{i}")
        MemberGuardian.objects.create(member=m, user=UserFactory())
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:household"))
    assert response.content.decode().count("子") >= 15
