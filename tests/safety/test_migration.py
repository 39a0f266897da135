"""Moving safety mail out of ``notifications`` into its own app loses no row and no right.

An existing database with safety data, at the migration before the move (``notifications``
0006, no ``safety`` migration), is migrated forward: every school, pupil, card, terminal, key,
tap and broadcast (with its schools) is still there under the ``safety`` models, and the
学校・見守り group holds the same rights, now on ``safety`` content types.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from portal.staff import SAFETY

# Transactional: the migrations must really run. serialized_rollback brings back, after the
# flush, what the migrations made (groups, content types, the Wagtail root page).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE_THE_MOVE = [("notifications", "0006_broadcast_reading"), ("safety", None)]
MOVED = {
    "school",
    "student",
    "watchedperson",
    "consent",
    "card",
    "terminal",
    "terminalkey",
    "seensignature",
    "tap",
    "subscription",
    "broadcastpreference",
    "broadcastreading",
    "broadcast",
    "mailtext",
}


def migrate(targets=None):
    """Migrate to ``targets`` (default: the latest migration of every app); returns the state's apps."""
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return state.apps


def group_rights(group_model) -> set[tuple[str, str]]:
    group = group_model.objects.get(name=SAFETY)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def make_safety_data(apps) -> dict:
    """A school with a pupil, his card, a gate reader and its key, a tap and a broadcast, as the old app stored them."""
    User = apps.get_model("portal", "User")
    Household = apps.get_model("portal", "Household")
    HouseholdMember = apps.get_model("portal", "HouseholdMember")
    School = apps.get_model("notifications", "School")
    Student = apps.get_model("notifications", "Student")
    Consent = apps.get_model("notifications", "Consent")
    Card = apps.get_model("notifications", "Card")
    Terminal = apps.get_model("notifications", "Terminal")
    TerminalKey = apps.get_model("notifications", "TerminalKey")
    Tap = apps.get_model("notifications", "Tap")
    Subscription = apps.get_model("notifications", "Subscription")
    Broadcast = apps.get_model("notifications", "Broadcast")

    owner = User.objects.create(email="migration-parent@example.jp", password="!", given_name="花子")
    child = HouseholdMember.objects.create(
        household=Household.objects.create(owner=owner), family_name="町田", given_name="太郎", relationship="child"
    )
    school = School.objects.create(name="移行テスト小学校")
    student = Student.objects.create(member=child, school=school, grade=3, class_name="2組")
    consent = Consent.objects.create(member=child, purpose="school_gate", given_by="町田 花子")
    card = Card.objects.create(member=child, card_hash="a" * 64, label="3456")
    terminal = Terminal.objects.create(name="正門リーダー", kind="gate", place="正門", school=school)
    key = TerminalKey.objects.create(terminal=terminal)
    tap = Tap.objects.create(
        terminal=terminal,
        event_id=uuid.uuid4(),
        card_hash=card.card_hash,
        card=card,
        member=child,
        kind="in",
        occurred_at=timezone.now(),
        mail_state="queued",
    )
    subscription = Subscription.objects.create(user=owner, member=child, mode="digest")
    broadcast = Broadcast.objects.create(category="weather", title="休校のお知らせ", body="明日は休校です。")
    broadcast.target_schools.add(school)
    return {
        "school": school.pk,
        "student": student.pk,
        "consent": consent.pk,
        "card": card.pk,
        "terminal": terminal.pk,
        "key": (key.pk, key.key_id, key.secret),
        "tap": (tap.pk, tap.event_id),
        "subscription": subscription.pk,
        "broadcast": broadcast.pk,
        "member": child.pk,
    }


def test_migrating_forward_keeps_every_row_link_and_right_under_the_safety_app():
    from safety.models import Broadcast, Card, Consent, School, Student, Subscription, Tap, Terminal, TerminalKey

    try:
        old = migrate(BEFORE_THE_MOVE)
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert not OldContentType.objects.filter(app_label="safety").exists()
        assert OldContentType.objects.filter(app_label="notifications", model="tap").exists()
        ids = make_safety_data(old)
        OldPermission = old.get_model("auth", "Permission")
        OldGroup = old.get_model("auth", "Group")
        # A right the migrations do not grant, given by an administrator before the move.
        OldGroup.objects.get(name=SAFETY).permissions.add(
            OldPermission.objects.get(content_type__app_label="notifications", codename="delete_card")
        )
        rights_before = group_rights(OldGroup)
        # A content type made under the new label before the move, with a permission someone was
        # given: both give way to the content type that moves, which keeps its id.
        card_type = OldContentType.objects.get(app_label="notifications", model="card")
        made_early = OldContentType.objects.create(app_label="safety", model="card")
        early_permission = OldPermission.objects.create(content_type=made_early, codename="view_card", name="Can view")
        old.get_model("portal", "User").objects.get(email="migration-parent@example.jp").user_permissions.add(
            early_permission
        )
        assert ("notifications", "delete_card") in rights_before
        assert ("notifications", "view_tap") in rights_before
        assert ("notifications", "change_broadcast") in rights_before

        migrate()

        school = School.objects.get(pk=ids["school"])
        assert school.name == "移行テスト小学校"
        student = Student.objects.get(pk=ids["student"])
        assert (student.member_id, student.school_id, student.grade, student.class_name) == (
            ids["member"],
            school.pk,
            3,
            "2組",
        )
        assert Consent.objects.get(pk=ids["consent"]).member_id == ids["member"]
        card = Card.objects.get(pk=ids["card"])
        assert (card.member_id, card.card_hash, card.label, card.status) == (ids["member"], "a" * 64, "3456", "active")
        terminal = Terminal.objects.get(pk=ids["terminal"])
        assert terminal.school_id == school.pk
        key_pk, key_id, secret = ids["key"]
        key = TerminalKey.objects.get(pk=key_pk)
        assert (key.terminal_id, key.key_id, key.secret) == (terminal.pk, key_id, secret)
        tap_pk, event_id = ids["tap"]
        tap = Tap.objects.get(pk=tap_pk)
        assert (tap.terminal_id, tap.card_id, tap.member_id, tap.event_id, tap.mail_state) == (
            terminal.pk,
            card.pk,
            ids["member"],
            event_id,
            "queued",
        )
        assert Subscription.objects.get(pk=ids["subscription"]).mode == "digest"
        broadcast = Broadcast.objects.get(pk=ids["broadcast"])
        assert list(broadcast.target_schools.all()) == [school]
        assert [b.pk for b in Broadcast.objects.filter(target_schools=school)] == [broadcast.pk]

        # The content types moved, so the permissions and the group's rights followed them.
        assert not ContentType.objects.filter(app_label="notifications", model__in=MOVED).exists()
        assert set(ContentType.objects.filter(app_label="safety").values_list("model", flat=True)) == MOVED
        assert ContentType.objects.get_for_model(Tap).app_label == "safety"
        assert ContentType.objects.get_for_model(Card).pk == card_type.pk
        assert not ContentType.objects.filter(pk=made_early.pk).exists()
        assert not Permission.objects.filter(pk=early_permission.pk).exists()
        rights_after = group_rights(Group)
        expected = {
            ("safety" if app_label == "notifications" and codename.split("_", 1)[1] in MOVED else app_label, codename)
            for app_label, codename in rights_before
        }
        assert rights_after == expected
        assert {("safety", "delete_card"), ("safety", "view_tap"), ("safety", "change_broadcast")} <= rights_after
        assert ("notifications", "view_outboundmail") in rights_after, "the outbox stays in notifications"
    finally:
        migrate()  # the other tests need the latest schema, whatever happened above
