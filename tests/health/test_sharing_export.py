"""The whole record through the section registry: the FHIR R4 Bundle (validated with fhir.resources),
the printable summary, and caregivers (added, logged when they look, removed → 404)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation
from fhir.resources.R4B.bundle import Bundle

from health.models import Caregiver, RecordAccess
from health.sharing import fhir
from notifications.models import OutboundMail
from tests.health.factories import CaregiverFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


# --- FHIR -----------------------------------------------------------------------------------


def test_the_bundle_of_a_child_validates_with_patient_and_the_sections_resources(child_record, fake_section):
    data = fhir.build_bundle(child_record)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    patient, panel, systolic = (entry.resource for entry in bundle.entry)
    assert patient.get_resource_type() == "Patient"
    assert str(patient.birthDate) == "2024-05-10" and patient.name[0].given == ["太郎"]
    patient_url = bundle.entry[0].fullUrl
    assert all(entry.fullUrl.startswith("urn:uuid:") for entry in bundle.entry)
    assert len({entry.fullUrl for entry in bundle.entry}) == 3
    # Both Observations point at the bundle's Patient, whatever the section wrote ("Patient/local-7").
    assert panel.subject.reference == patient_url and systolic.subject.reference == patient_url
    # A reference between the section's own resources follows them to their new urn:uuid.
    assert panel.hasMember[0].reference == bundle.entry[2].fullUrl
    assert all(entry.fullUrl == f"urn:uuid:{entry.resource.id}" for entry in bundle.entry)


def test_the_bundle_with_no_sections_is_just_the_patient(own_record):
    data = fhir.build_bundle(own_record)
    bundle = Bundle.model_validate(data)
    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient"]
    assert bundle.entry[0].resource.name[0].family == "山田"


def test_the_owner_downloads_the_bundle_as_fhir_json(client, own_record, fake_section):
    client.force_login(own_record.user)
    response = client.get(reverse("portal:health_export_fhir", args=[own_record.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    Bundle.model_validate(json.loads(response.content))


# --- The printable summary ------------------------------------------------------------------


def test_the_summary_shows_every_section_for_printing(client, child_record, fake_section):
    client.force_login(child_record.member.household.owner)
    page = client.get(reverse("portal:health_summary", args=[child_record.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "テストメモ" in body and "体温メモ 36.8" in body and "太郎" in body
    assert 'media="print"' in body and "health/print" in body


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
@pytest.mark.parametrize("page", ["health_summary", "health_export_fhir", "health_caregivers", "health_sharing"])
def test_others_get_404_on_every_page(client, own_record, fake_section, who, page):
    client.force_login(UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser"))
    assert client.get(reverse(f"portal:{page}", args=[own_record.pk])).status_code == 404


# --- Caregivers -----------------------------------------------------------------------------


def test_owner_adds_a_caregiver_by_email_who_then_manages_and_is_logged(client, own_record):
    daughter = UserFactory(email="musume@example.jp", given_name="恵子")
    record_url = reverse("portal:health_record", args=[own_record.pk])
    client.force_login(own_record.user)
    added = client.post(reverse("portal:health_caregivers", args=[own_record.pk]), {"email": "MUSUME@example.jp"})
    assert added.status_code == 302
    assert Caregiver.objects.get(record=own_record).user == daughter
    [mail] = OutboundMail.objects.filter(to_email=daughter.email)
    assert own_record.user.get_full_name() in mail.subject
    assert f"/my/health/{own_record.pk}/" in mail.body_text

    client.force_login(daughter)
    assert client.get(record_url).status_code == 200
    assert client.get(reverse("portal:health_summary", args=[own_record.pk])).status_code == 200
    # Caregivers manage, but only the owner chooses caregivers.
    assert client.get(reverse("portal:health_caregivers", args=[own_record.pk])).status_code == 404
    assert RecordAccess.objects.filter(record=own_record, user=daughter).count() >= 2

    client.force_login(own_record.user)
    page = client.get(reverse("portal:health_caregivers", args=[own_record.pk])).content.decode()
    assert "山田 恵子" in page and "musume@example.jp" in page
    assert RecordAccess.objects.filter(user=own_record.user).count() == 0  # the owner's own looks are not logged


def test_owner_removes_a_caregiver_who_then_gets_404(client, own_record):
    caregiver = CaregiverFactory(record=own_record)
    client.force_login(own_record.user)
    removed = client.post(reverse("portal:health_caregiver_remove", args=[own_record.pk, caregiver.pk]))
    assert removed.status_code == 302 and not Caregiver.objects.exists()
    client.force_login(caregiver.user)
    assert client.get(reverse("portal:health_record", args=[own_record.pk])).status_code == 404
    assert client.get(reverse("portal:health_sharing", args=[own_record.pk])).status_code == 404


def test_a_caregiver_cannot_remove_another(client, own_record):
    first, second = CaregiverFactory(record=own_record), CaregiverFactory(record=own_record)
    client.force_login(first.user)
    url = reverse("portal:health_caregiver_remove", args=[own_record.pk, second.pk])
    assert client.post(url).status_code == 404
    assert Caregiver.objects.count() == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.jp", "No account uses this e-mail address."),
        ("self", "You already manage your own record."),
        ("twice", "This person is already a caregiver."),
        ("", "Enter the e-mail address of their account."),
    ],
)
def test_bad_caregiver_input_gets_a_japanese_message_and_changes_nothing(client, own_record, email, message):
    existing = CaregiverFactory(record=own_record)
    email = {"self": own_record.user.email, "twice": existing.user.email}.get(email, email)
    client.force_login(own_record.user)
    page = client.post(reverse("portal:health_caregivers", args=[own_record.pk]), {"email": email})
    assert page.status_code == 400 and ja(message) in page.content.decode()
    assert Caregiver.objects.count() == 1


def test_a_family_account_can_be_chosen(client, own_record, child_record):
    """The spouse who shares the child is offered; any other account is not."""
    from portal.models import MemberGuardian

    owner = own_record.user
    spouse = UserFactory(given_name="一郎")
    MemberGuardian.objects.create(member=child_record.member, user=spouse)
    own = own_record
    stranger = UserFactory()
    client.force_login(owner)
    url = reverse("portal:health_caregivers", args=[own.pk])
    assert "山田 一郎" in client.get(url).content.decode()
    assert client.post(url, {"family_account": stranger.pk}).status_code == 400
    assert client.post(url, {"family_account": spouse.pk}).status_code == 302
    assert Caregiver.objects.get().user == spouse


def test_caregiver_tries_are_rate_limited(client, own_record):
    client.force_login(own_record.user)
    url = reverse("portal:health_caregivers", args=[own_record.pk])
    for n in range(10):
        client.post(url, {"email": f"guess{n}@example.jp"})
    real = UserFactory()
    page = client.post(url, {"email": real.email})
    assert page.status_code == 400 and ja("Too many tries. Please wait an hour and try again.") in page.content.decode()
    assert not Caregiver.objects.exists()
