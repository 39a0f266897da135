"""Editorial workflow: departments write, 広報 approve and publish; schedules and locks hold.

Staff sign in with a second factor in real life (tests/portal/test_staff_groups.py proves it); here the
requirement is switched off so each test is about who may do what with pages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowState,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms import tasks
from cms.demo import publish
from cms.models import DepartmentPage, EventIndexPage, NewsIndexPage, NewsPage, StandardPage
from cms.services import create_department_editors
from portal.models import User
from portal.staff import APPROVAL_WORKFLOW, WEB
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.PORTAL_STAFF_MFA_REQUIRED = False


@pytest.fixture
def site(home):
    """Two departments, the news and event indexes, and one page of each department."""
    jumin = publish(home, DepartmentPage(title="住民課", slug="jumin"))
    kosodate = publish(home, DepartmentPage(title="子育て支援課", slug="kosodate-shien"))
    news = publish(home, NewsIndexPage(title="お知らせ", slug="news"))
    events = publish(home, EventIndexPage(title="イベント", slug="events"))
    return {
        "home": home,
        "jumin": jumin,
        "kosodate": kosodate,
        "news": news,
        "events": events,
        "juminhyo": publish(jumin, StandardPage(title="住民票の写しの請求", slug="juminhyo")),
        "center": publish(kosodate, StandardPage(title="子育て支援センター", slug="center")),
    }


def staff_in(client, group: Group):
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    return user


@pytest.fixture
def editor(client, site):
    """A member of 「子育て支援課 編集者」, signed in."""
    return staff_in(client, create_department_editors(site["kosodate"]))


def approver_client() -> Client:
    client = Client()
    staff_in(client, Group.objects.get(name=WEB))
    return client


def page_form(**fields) -> dict:
    """What Wagtail's page editor posts: the fields, an empty body and no comments."""
    return nested_form_data({"body": streamfield([]), "comments": inline_formset([]), **fields})


def add_url(model, parent) -> str:
    return reverse("wagtailadmin_pages:add", args=("cms", model._meta.model_name, parent.pk))


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


@pytest.mark.sqlite
def test_the_whole_site_goes_through_the_approval_of_koho():
    workflow = Workflow.objects.get(name=APPROVAL_WORKFLOW)
    assert workflow.active
    assert Page.get_first_root_node().get_workflow() == workflow
    (task,) = workflow.tasks.all()
    assert list(task.specific.groups.values_list("name", flat=True)) == [WEB]
    assert not Workflow.objects.filter(name="Moderators approval").exists(), "Wagtail's sample workflow was replaced"


@pytest.mark.sqlite
def test_department_editors_get_their_subtree_the_shared_indexes_and_a_collection_only(site):
    group = create_department_editors(site["kosodate"])
    assert group.name == "子育て支援課 編集者"
    assert create_department_editors(site["kosodate"]) == group, "running it again changes nothing"

    page_perms = set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename"))
    assert page_perms == {
        (site["kosodate"].pk, "add_page"),
        (site["kosodate"].pk, "change_page"),
        (site["news"].pk, "add_page"),
        (site["events"].pk, "add_page"),
    }
    collection = Collection.objects.get(name="子育て支援課")
    collection_perms = set(
        GroupCollectionPermission.objects.filter(group=group).values_list("collection_id", "permission__codename")
    )
    assert collection_perms == {
        (collection.pk, "add_image"),
        (collection.pk, "choose_image"),
        (collection.pk, "add_document"),
        (collection.pk, "choose_document"),
    }
    assert list(group.permissions.values_list("codename", flat=True)) == ["access_admin"]


def test_translations_of_the_department_are_theirs_too(site):
    english = Locale.objects.get_or_create(language_code="en")[0]
    en_home = site["home"].copy_for_translation(english)
    en_kosodate = site["kosodate"].copy_for_translation(english)
    en_news = site["news"].copy_for_translation(english)
    en_jumin = site["jumin"].copy_for_translation(english)
    editor = UserFactory(is_staff=True)
    editor.groups.add(create_department_editors(site["kosodate"]))
    assert en_kosodate.permissions_for_user(editor).can_edit()
    assert en_news.permissions_for_user(editor).can_add_subpage()
    assert not en_jumin.permissions_for_user(editor).can_edit()
    assert not en_home.permissions_for_user(editor).can_edit()


def test_the_demo_has_a_department_editor_and_a_koho_approver(capsys):
    call_command("load_demo")
    printed = capsys.readouterr().out
    password = printed.rsplit("kosodate-editor@example.jp / ", 1)[1].split()[0]
    editor = User.objects.get(email="kosodate-editor@example.jp")
    assert editor.is_staff
    assert list(editor.groups.values_list("name", flat=True)) == ["子育て支援課 編集者"]
    assert Client().login(email=editor.email, password=password)
    assert User.objects.get(email="staff@example.jp").groups.filter(name=WEB).exists()

    home = Site.objects.get(is_default_site=True).root_page
    own = DepartmentPage.objects.child_of(home).get(slug="kosodate-shien").permissions_for_user(editor)
    assert own.can_edit() and own.can_add_subpage() and not own.can_publish()
    assert not DepartmentPage.objects.child_of(home).get(slug="jumin").permissions_for_user(editor).can_edit()
    names = set(Group.objects.filter(name__endswith=" 編集者").values_list("name", flat=True))
    assert names == {"住民課 編集者", "子育て支援課 編集者", "健康福祉課 編集者"}


def test_the_command_creates_the_group_for_a_department_given_by_slug(site, capsys):
    call_command("create_department_editors", "jumin")
    assert "住民課 編集者" in capsys.readouterr().out
    assert GroupPagePermission.objects.filter(group__name="住民課 編集者", page=site["jumin"]).count() == 2


def test_editor_writes_a_page_in_their_department_but_cannot_publish_it(client, site, editor):
    response = client.post(
        add_url(StandardPage, site["kosodate"]),
        page_form(title="一時預かり", slug="ichiji", intro="保育園での一時預かり。", **{"action-publish": "1"}),
    )
    assert response.status_code == 302
    page = StandardPage.objects.get(slug="ichiji")
    assert not page.live, "an editor's Publish is only a draft"
    assert page.owner == editor

    response = client.post(
        edit_url(page),
        page_form(title="一時預かり", slug="ichiji", intro="保育園での一時預かり。", **{"action-submit": "1"}),
    )
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert (state.workflow.name, state.status, state.requested_by) == (APPROVAL_WORKFLOW, "in_progress", editor)
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url).status_code == 404, "residents do not see it yet"


def test_editor_cannot_edit_another_departments_page(client, site, editor):
    other = site["juminhyo"]
    response = client.get(edit_url(other))
    assert (response.status_code, response.url) == (302, "/admin/"), "Wagtail's permission-denied redirect"
    response = client.post(edit_url(other), page_form(title="書き換え", slug="juminhyo", **{"action-submit": "1"}))
    assert (response.status_code, response.url) == (302, "/admin/")
    other.refresh_from_db()
    assert other.title == "住民票の写しの請求"
    assert other.revisions.count() == 1
    assert client.post(add_url(StandardPage, site["jumin"]), page_form(title="x", slug="x")).status_code == 302
    assert not StandardPage.objects.filter(slug="x").exists()


def test_editor_edits_only_the_news_they_wrote(client, site, editor):
    koho_news = publish(site["news"], NewsPage(title="広報のお知らせ", slug="koho"))
    response = client.post(
        add_url(NewsPage, site["news"]),
        page_form(title="子育て講座のお知らせ", slug="koza", date="2026-12-01", **{"action-submit": "1"}),
    )
    assert response.status_code == 302
    own = NewsPage.objects.get(slug="koza")
    assert client.get(edit_url(own)).status_code == 200
    response = client.get(edit_url(koho_news))
    assert (response.status_code, response.url) == (302, "/admin/")


def test_koho_approves_and_the_news_appears_on_the_home_page(client, site, editor):
    client.post(
        add_url(NewsPage, site["news"]),
        page_form(title="子育て講座のお知らせ", slug="koza", date="2026-12-01", **{"action-submit": "1"}),
    )
    news = NewsPage.objects.get(slug="koza")
    resident = Client()
    assert "子育て講座のお知らせ" not in resident.get("/").content.decode()

    # The editor may not approve their own submission.
    state = WorkflowState.objects.get(object_id=str(news.pk))
    approve = reverse("wagtailadmin_pages:workflow_action", args=(news.pk, "approve", state.current_task_state.pk))
    client.post(approve)
    news.refresh_from_db()
    assert not news.live

    approver = approver_client()
    assert approver.post(approve).status_code in (200, 302)
    news.refresh_from_db()
    state.refresh_from_db()
    assert news.live
    assert state.status == "approved"
    assert "子育て講座のお知らせ" in resident.get("/").content.decode()
    assert "子育て講座のお知らせ" in resident.get(site["news"].url).content.decode()


@pytest.fixture
def clock(monkeypatch):
    """Move time forward, as if the scheduled time had come (Wagtail asks timezone.now())."""
    real_now = timezone.now

    def move_by(delta: timedelta) -> None:
        monkeypatch.setattr(timezone, "now", lambda: real_now() + delta)

    return move_by


def scheduled_page(parent, **schedule) -> StandardPage:
    """A page an approver published with a publishing schedule."""
    page = StandardPage(title="年末年始の窓口", slug="nenmatsu", **schedule)
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_pages_go_live_and_expire_on_schedule(site, clock):
    """A page waits for its "go live" time and disappears at its expiry, as beat runs the task."""
    now = timezone.now()
    page = scheduled_page(site["kosodate"], go_live_at=now + timedelta(hours=1), expire_at=now + timedelta(hours=3))
    assert not page.live, "scheduled, not published"

    assert tasks.publish_scheduled.delay().get() is True
    page.refresh_from_db()
    assert not page.live, "too early"

    clock(timedelta(hours=1, minutes=1))
    tasks.publish_scheduled.delay()
    page.refresh_from_db()
    assert page.live
    assert "年末年始の窓口" in Client().get(page.url).content.decode()
    tasks.publish_scheduled.delay()
    page.refresh_from_db()
    assert page.live, "running again changes nothing"

    clock(timedelta(hours=3, minutes=1))
    tasks.publish_scheduled.delay()
    page.refresh_from_db()
    assert (page.live, page.expired) == (False, True)
    assert Client().get(page.url).status_code == 404


def test_a_run_already_in_progress_is_not_doubled(site, clock):
    from django.core.cache import cache

    page = scheduled_page(site["kosodate"], go_live_at=timezone.now() + timedelta(hours=1))
    clock(timedelta(hours=2))
    cache.add(tasks.PUBLISH_SCHEDULED_LOCK, 1)  # another worker is busy with it
    assert tasks.publish_scheduled.delay().get() is False
    page.refresh_from_db()
    assert not page.live
    cache.delete(tasks.PUBLISH_SCHEDULED_LOCK)
    assert tasks.publish_scheduled.delay().get() is True
    page.refresh_from_db()
    assert page.live


def test_a_page_locked_by_koho_cannot_be_saved_by_an_editor(client, site, editor):
    koho = UserFactory(is_staff=True)
    koho.groups.add(Group.objects.get(name=WEB))
    center = site["center"]
    center.locked, center.locked_by, center.locked_at = True, koho, timezone.now()
    center.save()

    response = client.post(edit_url(center), page_form(title="書き換え", slug="center"))
    assert response.status_code == 200
    with translation.override("ja"):  # the admin speaks the editor's language
        assert gettext("The page could not be saved as it is locked.") in response.content.decode()
    center.refresh_from_db()
    assert center.title == "子育て支援センター"
    assert center.revisions.count() == 1


def test_every_edit_is_kept_as_a_revision(client, site, editor):
    center = site["center"]
    for title in ("子育て支援センター（改）", "子育て支援センター（再）"):
        client.post(edit_url(center), page_form(title=title, slug="center"))
    titles = [r.content["title"] for r in center.revisions.order_by("created_at", "pk")]
    assert titles == ["子育て支援センター", "子育て支援センター（改）", "子育て支援センター（再）"]
    center.refresh_from_db()
    assert center.title == "子育て支援センター", "drafts do not change the live page"
