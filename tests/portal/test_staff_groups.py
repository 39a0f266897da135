"""Staff groups exist after migrating, each with only what it needs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page

from portal.models import AccessLog
from portal.staff import ALL_GROUPS, SAFETY, WEB
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_group_can_open_the_admin():
    assert set(Group.objects.filter(name__in=ALL_GROUPS).values_list("name", flat=True)) == set(ALL_GROUPS)
    for group in Group.objects.filter(name__in=ALL_GROUPS):
        assert "wagtailadmin.access_admin" in perms(group)


def test_only_web_staff_edit_pages_images_and_documents():
    web = Group.objects.get(name=WEB)
    page_perms = set(GroupPagePermission.objects.filter(group=web).values_list("permission__codename", flat=True))
    assert {"add_page", "change_page", "publish_page"} <= page_perms
    assert GroupCollectionPermission.objects.filter(group=web, permission__codename="add_image").exists()
    for name in set(ALL_GROUPS) - {WEB}:
        group = Group.objects.get(name=name)
        assert not GroupPagePermission.objects.filter(group=group).exists(), name
        assert not GroupCollectionPermission.objects.filter(group=group).exists(), name


def test_only_web_staff_hold_rights_on_the_whole_page_tree():
    """Wagtail's sample Editors and Moderators groups, with publish rights everywhere, are gone."""
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    root = Page.objects.get(depth=1)
    assert set(GroupPagePermission.objects.filter(page=root).values_list("group__name", flat=True)) == {WEB}


def test_a_sample_group_somebody_belongs_to_is_kept():
    migration = importlib.import_module("portal.migrations.0006_remove_wagtail_sample_groups")
    used, unused = Group.objects.create(name="Moderators"), Group.objects.create(name="Editors")
    UserFactory(is_staff=True).groups.add(used)
    migration.remove_unused_samples(django_apps, None)
    assert Group.objects.filter(pk=used.pk).exists()
    assert not Group.objects.filter(pk=unused.pk).exists()


def test_only_safety_staff_read_the_mail_outbox():
    for group in Group.objects.filter(name__in=ALL_GROUPS):
        assert ("notifications.view_outboundmail" in perms(group)) == (group.name == SAFETY)
        assert not any(p.startswith("portal.") for p in perms(group)), "no group reads residents' records"


def mfa_staff(client, group_name: str):
    """A staff member of ``group_name`` signed in with password and TOTP, as the middleware requires."""
    import time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    from tests.portal.factories import PASSWORD, UserFactory

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": format_hotp_value(hotp_value(secret, int(time.time()) // 30))})
    return user


def test_safety_staff_see_delivery_status_but_not_mail_text_and_cannot_edit(client):
    from notifications.models import OutboundMail

    mail = OutboundMail.objects.create(
        idempotency_key="gate:1",
        category="school_gate",
        to_email="parent@example.jp",
        from_email="portal@example.jp",
        subject="太郎さんが登校しました",
        body_text="太郎さんが 8:02 に登校しました。",
        message_id="<1@example.jp>",
        status=OutboundMail.Status.FAILED,
        last_error="550 No such user",
    )
    staff = mfa_staff(client, SAFETY)
    listing = client.get("/admin/outbound_mail/")
    assert listing.status_code == 200
    assert "parent@example.jp" in listing.content.decode()
    inspect = client.get(f"/admin/outbound_mail/inspect/{mail.pk}/")
    assert inspect.status_code == 200
    assert "550 No such user" in inspect.content.decode()
    assert "8:02" not in inspect.content.decode()
    # Every look at movement-related mail is logged: who, what, which record.
    logged = list(AccessLog.objects.order_by("at").values_list("staff", "action", "object_type", "object_id"))
    assert logged == [
        (staff.pk, "list", "notifications.OutboundMail", ""),
        (staff.pk, "view", "notifications.OutboundMail", str(mail.pk)),
    ]
    for response in (
        client.get(f"/admin/outbound_mail/edit/{mail.pk}/"),
        client.post(f"/admin/outbound_mail/delete/{mail.pk}/"),
    ):
        assert (response.status_code, response.url) == (302, "/admin/"), "Wagtail's permission-denied redirect"
    assert OutboundMail.objects.filter(pk=mail.pk).exists()


def test_web_staff_cannot_open_the_outbox(client):
    mfa_staff(client, WEB)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/outbound_mail/")
    assert (response.status_code, response.url) == (302, "/admin/")


def test_an_administrator_manages_staff_accounts_in_wagtail(client):
    """The email-as-login user model works in Wagtail's user management."""
    admin = mfa_staff(client, WEB)
    admin.is_superuser = True
    admin.save()
    assert client.get("/admin/users/").status_code == 200
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "new.staff@example.jp",
            "family_name": "役場",
            "given_name": "次郎",
            "password1": "Long-enough-pass-2026",
            "password2": "Long-enough-pass-2026",
            "is_superuser": "",
            "groups": [Group.objects.get(name=SAFETY).pk],
        },
    )
    from portal.models import User

    assert response.status_code == 302, response.context["form"].errors if response.context else response.status_code
    created = User.objects.get(email="new.staff@example.jp")
    assert list(created.groups.values_list("name", flat=True)) == [SAFETY]


def test_only_administrators_read_the_access_log_and_nobody_edits_it(client):
    from django.test import RequestFactory

    from portal.audit import log_staff_access

    staff = mfa_staff(client, SAFETY)
    request = RequestFactory().get("/admin/outbound_mail/inspect/1/")
    request.user = staff
    entry = log_staff_access(request=request, action="view", object_type="notifications.OutboundMail")
    response = client.get("/admin/access_log/")
    assert (response.status_code, response.url) == (302, "/admin/"), "group staff may not read the log"
    staff.is_superuser = True
    staff.save()
    assert staff.email in client.get("/admin/access_log/").content.decode()
    response = client.post(f"/admin/access_log/delete/{entry.pk}/")
    assert (response.status_code, response.url) == (302, "/admin/")
    assert AccessLog.objects.filter(pk=entry.pk).exists()
