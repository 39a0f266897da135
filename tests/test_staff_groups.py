"""Staff groups exist after migrating, each with only what it needs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from portal.staff import ALL_GROUPS, SAFETY, WEB

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


def test_only_safety_staff_read_the_mail_outbox():
    for group in Group.objects.filter(name__in=ALL_GROUPS):
        assert ("notifications.view_outboundmail" in perms(group)) == (group.name == SAFETY)
        assert not any(p.startswith("portal.") for p in perms(group)), "no group reads residents' records"
