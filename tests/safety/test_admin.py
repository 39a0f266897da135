"""Staff admin of safety mail: cards without raw IDs, lost cards, terminals' keys, access-logged taps."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from portal.models import AccessLog
from portal.staff import HEALTH, SAFETY
from safety import services
from safety.models import Card, Consent, MailText, Tap, Terminal, TerminalKey, WatchedPerson
from tests.portal.factories import MemberFactory, UserFactory
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db

RAW_CARD = "04A1B2C3D4E5F6789"


@pytest.fixture
def grandpa():
    owner = UserFactory(email="family@example.jp")
    member = MemberFactory(household__owner=owner, family_name="山田", given_name="一郎")
    WatchedPerson.objects.create(member=member)
    services.record_consent(member=member, purpose=Consent.Purpose.WATCH_OVER, given_by="山田 花子")
    return member


@pytest.fixture
def terminal():
    return Terminal.objects.create(name="公民館", kind=Terminal.Kind.WATCH, place="中央公民館")


def rows_containing(text: str) -> list[str]:
    """Every (model, field) in the database whose stored value contains ``text``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                rows = model._default_manager.annotate(_as_text=Cast(field.attname, models.TextField()))
                if rows.filter(_as_text__icontains=text).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


def ingest_touch(terminal, card_id: str) -> Tap:
    event_id = str(uuid.uuid4())
    services.ingest(
        terminal=terminal,
        events=[{"event_id": event_id, "card": card_id, "kind": "touch", "occurred_at": timezone.now().isoformat()}],
    )
    return Tap.objects.get(event_id=event_id)


def test_safety_staff_register_a_card_and_the_raw_id_is_stored_nowhere(client, grandpa, terminal):
    mfa_staff(client, SAFETY)

    response = client.post("/admin/safety/cards/new/", {"member": grandpa.pk, "card_id": RAW_CARD})

    assert response.status_code == 302
    card = Card.objects.get(member=grandpa)
    assert card.label == RAW_CARD[-4:] and card.status == Card.Status.ACTIVE
    assert rows_containing(RAW_CARD) == []
    assert rows_containing(RAW_CARD[:-4]) == []
    listing = client.get("/admin/safety/cards/").content.decode()
    assert "山田 一郎" in listing and RAW_CARD[-4:] in listing and RAW_CARD not in listing
    assert card.card_hash not in listing
    assert ingest_touch(terminal, RAW_CARD).member == grandpa  # the hash matches the terminal's taps


def test_a_card_needs_consent_and_an_active_id_cannot_be_registered_twice(client, grandpa):
    mfa_staff(client, SAFETY)
    no_consent = MemberFactory(household=grandpa.household, given_name="二郎")

    page = client.post("/admin/safety/cards/new/", {"member": no_consent.pk, "card_id": RAW_CARD}).content.decode()
    assert "consent" in page.lower() or "同意" in page
    assert not Card.objects.exists()

    client.post("/admin/safety/cards/new/", {"member": grandpa.pk, "card_id": RAW_CARD})
    Consent.objects.create(member=no_consent, purpose=Consent.Purpose.WATCH_OVER, given_by="x")
    client.post("/admin/safety/cards/new/", {"member": no_consent.pk, "card_id": RAW_CARD})
    assert list(Card.objects.values_list("member", flat=True)) == [grandpa.pk]


def test_lost_card_is_deactivated_its_taps_are_unmatched_and_a_new_card_is_issued(client, grandpa, terminal):
    mfa_staff(client, SAFETY)
    old = services.register_card(member=grandpa, card_id=RAW_CARD)

    response = client.post(f"/admin/safety/cards/{old.pk}/lost/")

    assert response.status_code == 302 and response["Location"].endswith(
        f"/admin/safety/cards/new/?member={grandpa.pk}"
    )
    old.refresh_from_db()
    assert old.status == Card.Status.LOST and old.deactivated_at is not None
    found = ingest_touch(terminal, RAW_CARD)
    assert found.member is None and found.mail_state == Tap.MailState.UNMATCHED

    client.post("/admin/safety/cards/new/", {"member": grandpa.pk, "card_id": "NEWCARD0001"})
    assert ingest_touch(terminal, "NEWCARD0001").member == grandpa


def test_staff_choose_the_member_by_searching_a_name(client, grandpa):
    mfa_staff(client, SAFETY)
    MemberFactory(family_name="佐藤", given_name="次郎")

    page = client.get("/admin/safety/members/chooser/results/", {"q": "山田"}).content.decode()

    assert "山田 一郎" in page and "佐藤" not in page


def test_health_staff_are_refused_everywhere(client, grandpa, terminal):
    mfa_staff(client, HEALTH)
    card = services.register_card(member=grandpa, card_id=RAW_CARD)
    ingest_touch(terminal, RAW_CARD)

    for url in (
        "/admin/safety/cards/",
        "/admin/safety/cards/new/",
        f"/admin/safety/cards/{card.pk}/lost/",
        "/admin/safety/taps/",
        "/admin/safety/students/",
        "/admin/safety/terminals/",
        f"/admin/safety/terminals/{terminal.pk}/key/",
        "/admin/safety/members/chooser/results/?q=山田",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "山田" not in response.content.decode(), url
    client.post(f"/admin/safety/cards/{card.pk}/lost/")
    client.post("/admin/safety/cards/new/", {"member": grandpa.pk, "card_id": "OTHER12345"})
    client.post(f"/admin/safety/terminals/{terminal.pk}/key/")
    card.refresh_from_db()
    assert card.status == Card.Status.ACTIVE and Card.objects.count() == 1
    assert not TerminalKey.objects.exists()
    assert not AccessLog.objects.filter(object_type="safety.Tap").exists()


def test_staff_viewing_taps_is_access_logged(client, grandpa, terminal):
    staff = mfa_staff(client, SAFETY)
    services.register_card(member=grandpa, card_id=RAW_CARD)
    tap = ingest_touch(terminal, RAW_CARD)

    listing = client.get("/admin/safety/taps/", {"q": "山田"})
    detail = client.get(f"/admin/safety/taps/inspect/{tap.pk}/")

    assert listing.status_code == 200 and "山田 一郎" in listing.content.decode()
    assert detail.status_code == 200 and "山田 一郎" in detail.content.decode()
    logs = list(AccessLog.objects.filter(staff=staff).order_by("at"))
    assert [(log.action, log.object_type) for log in logs] == [
        ("list", "safety.Tap"),
        ("view", "safety.Tap"),
    ]
    assert logs[1].object_id == str(tap.pk) and "q=" in logs[0].path
    assert client.post(f"/admin/safety/taps/edit/{tap.pk}/", {"kind": "in"}).status_code in (302, 403, 404)
    tap.refresh_from_db()
    assert tap.kind == Tap.Kind.TOUCH


def test_key_rotation_shows_the_new_secret_once_and_old_key_keeps_working_a_day(client, terminal):
    from safety import terminals

    mfa_staff(client, SAFETY)
    old = terminals.rotate_key(terminal)

    page = client.post(f"/admin/safety/terminals/{terminal.pk}/key/").content.decode()

    new = TerminalKey.objects.exclude(pk=old.pk).get(terminal=terminal)
    assert new.secret in page and new.key_id in page
    again = client.get(f"/admin/safety/terminals/{terminal.pk}/key/").content.decode()
    assert new.key_id in again and new.secret not in again and old.secret not in again
    old.refresh_from_db()
    assert timezone.now() + timedelta(hours=23) < old.revoked_at <= timezone.now() + timedelta(days=1)
    assert [k.pk for k in terminals.usable_keys(terminal)] == [new.pk, old.pk]


def test_staff_edit_mail_wording_with_the_placeholders_explained(client):
    mfa_staff(client, SAFETY)

    form = client.get("/admin/safety/mail-texts/new/").content.decode()
    assert "{places}" in form and "{last_touch}" in form and "{delay_note}" in form

    client.post(
        "/admin/safety/mail-texts/new/",
        {"key": "no_activity", "language": "ja", "subject": "{name}さんの見守り", "body": "{hours}時間タッチなし"},
    )
    assert MailText.objects.get(key="no_activity").subject == "{name}さんの見守り"


def test_consent_records_who_recorded_it(client, grandpa):
    staff = mfa_staff(client, SAFETY)

    client.post(
        "/admin/safety/consents/new/",
        {"member": grandpa.pk, "purpose": "watch_over", "given_by": "山田 花子", "given_at": "2025-06-01 10:00"},
    )

    consent = Consent.objects.filter(recorded_by=staff).get()
    assert consent.member == grandpa and consent.given_by == "山田 花子"
