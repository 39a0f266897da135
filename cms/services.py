"""Writes of the town homepage that are more than saving a page: who may edit what."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from cms.models import DepartmentPage, EventIndexPage, HomePage, NewsIndexPage

# Wagtail's page permissions: "add" lets a group create pages below and edit the pages its
# members created themselves; "change" lets it edit every page below. Neither publishes.
DEPARTMENT_PAGE_PERMISSIONS = ["add_page", "change_page"]
SHARED_INDEX_PERMISSIONS = ["add_page"]
# "add" uploads files and edits one's own uploads; "choose" picks files of the collection in a page.
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
]


def department_editors_name(department: DepartmentPage) -> str:
    """The group name for a department's editors: 「<課名> 編集者」."""
    return f"{department.title} 編集者"


@transaction.atomic
def create_department_editors(department_page: DepartmentPage, name: str | None = None) -> Group:
    """Create (or complete) the editors' group of one department and return it.

    Members of the group may open the Wagtail admin; create and edit every page of their
    department's own subtree (in every language it has been translated into so far: run this
    again after translating the department page); create news and events and edit only the
    news and events they created themselves; upload images and documents into their
    department's own collection and use them in pages. They may not publish: what they write
    goes to 広報 for approval (the 「広報の承認」 workflow). They may not edit any other
    department's pages.

    Safe to run again: missing permissions are added, none are taken away, so what an
    administrator added in Settings → Groups stays.
    """
    department_page = department_page.specific
    group, _created = Group.objects.get_or_create(name=name or department_editors_name(department_page))
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))

    for page in department_page.get_translations(inclusive=True):
        _grant_pages(group, page, DEPARTMENT_PAGE_PERMISSIONS)
    for index in _shared_indexes(department_page):
        _grant_pages(group, index, SHARED_INDEX_PERMISSIONS)

    collection = department_collection(department_page)
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    return group


def department_collection(department_page: DepartmentPage) -> Collection:
    """The department's own folder of images and documents, directly under the root collection."""
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")  # Wagtail makes it; a flush may not
    existing = root.get_children().filter(name=department_page.title).first()
    return existing or root.add_child(instance=Collection(name=department_page.title))


def _grant_pages(group: Group, page: Page, codenames: list[str]) -> None:
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=page,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )


def _shared_indexes(department_page: DepartmentPage) -> list[Page]:
    """The news and event index pages of the department's site, in every language, where every department writes."""
    home = Page.objects.ancestor_of(department_page).type(HomePage).last()
    indexes = Page.objects.type(NewsIndexPage, EventIndexPage)
    if home is None:
        return list(indexes)
    return [index for site_home in home.get_translations(inclusive=True) for index in indexes.descendant_of(site_home)]
