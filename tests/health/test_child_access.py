"""Every mother-and-child page: the guardian or the mother opens it; another resident and staff get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

CHILD_PAGES = ["portal:health_growth", "portal:health_vaccinations", "portal:health_birth"]


def test_the_guardian_opens_every_child_page_and_the_mother_her_pregnancy(client, own_record, child_record):
    client.force_login(own_record.user)
    for name in CHILD_PAGES:
        assert client.get(reverse(name, args=[child_record.pk])).status_code == 200, name
    assert client.get(reverse("portal:health_pregnancy", args=[own_record.pk])).status_code == 200
    record_page = client.get(reverse("portal:health_record", args=[child_record.pk])).content.decode()
    assert reverse("portal:health_growth", args=[child_record.pk]) in record_page


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
def test_others_get_404_on_every_page(client, own_record, child_record, who):
    client.force_login(UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser"))
    for name in CHILD_PAGES:
        assert client.get(reverse(name, args=[child_record.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[child_record.pk]), {}).status_code == 404, name
    url = reverse("portal:health_pregnancy", args=[own_record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"n-due_date": "2025-01-01"}).status_code == 404


def test_child_pages_are_404_on_an_adult_record_and_pregnancy_on_a_child(client, own_record, child_record):
    client.force_login(own_record.user)
    for name in CHILD_PAGES:
        assert client.get(reverse(name, args=[own_record.pk])).status_code == 404, name
    assert client.get(reverse("portal:health_pregnancy", args=[child_record.pk])).status_code == 404


def test_a_tampered_id_changes_nothing_and_is_no_error(client, own_record, child_record):
    client.force_login(own_record.user)
    growth = reverse("portal:health_growth", args=[child_record.pk])
    assert client.post(growth, {"action": "delete", "entry": "x"}).status_code == 302
    vaccinations = reverse("portal:health_vaccinations", args=[child_record.pk])
    assert client.post(vaccinations, {"action": "forget", "given": "1;"}).status_code == 302
    pregnancy = reverse("portal:health_pregnancy", args=[own_record.pk])
    assert client.post(pregnancy, {"action": "checkup", "pregnancy": "abc"}).status_code == 404
