"""Who may open which health log: the resident, the adults who look after a member, named
caregivers; nobody else (another resident, staff) — they get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from health import selectors, services
from tests.health.factories import CaregiverFactory, RecordFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_index_creates_a_log_for_the_resident_and_each_member(client, child_record):
    owner = child_record.member.household.owner
    client.force_login(owner)
    page = client.get(reverse("portal:health"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["records"]][1] == child_record.pk
    assert page.context["records"][0].user == owner
    assert "太郎" in page.content.decode()


def test_resident_and_guardian_open_the_child_log(client, child_record):
    client.force_login(child_record.member.household.owner)
    assert client.get(reverse("portal:health_record", args=[child_record.pk])).status_code == 200


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
def test_others_get_404(client, own_record, child_record, who):
    other = UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser")
    client.force_login(other)
    for record in (own_record, child_record):
        assert client.get(reverse("portal:health_record", args=[record.pk])).status_code == 404
    assert selectors.record_for(other, own_record.pk) is None


def test_an_adult_log_is_theirs_alone_until_they_name_a_caregiver(client):
    mother = RecordFactory()
    daughter = UserFactory()
    client.force_login(daughter)
    url = reverse("portal:health_record", args=[mother.pk])
    assert client.get(url).status_code == 404
    CaregiverFactory(record=mother, user=daughter)
    assert client.get(url).status_code == 200


def test_ensure_records_is_idempotent(child_record):
    owner = child_record.member.household.owner
    services.ensure_records(user=owner)
    services.ensure_records(user=owner)
    assert len(selectors.records_of(owner)) == 2


def test_anonymous_is_sent_to_sign_in(client, own_record):
    page = client.get(reverse("portal:health_record", args=[own_record.pk]))
    assert page.status_code == 302 and "login" in page["Location"]
