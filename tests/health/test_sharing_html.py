"""The sharing pages are valid HTML (the Nu HTML Checker, as tests/test_html_valid.py uses it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from health.sharing import services
from tests.health.factories import CaregiverFactory
from tests.test_html_valid import VNU_JAR, vnu_errors

pytestmark = pytest.mark.django_db


def test_sharing_pages_are_valid_html(client, own_record, fake_section, tmp_path):
    assert VNU_JAR.exists(), "node_modules/vnu-jar is missing: npm ci"
    owner = own_record.user
    caregiver = CaregiverFactory(record=own_record)
    client.force_login(caregiver.user)
    client.get(reverse("portal:health_record", args=[own_record.pk]))  # one caregiver access to list

    client.force_login(owner)
    created = client.post(
        reverse("portal:health_sharing", args=[own_record.pk]),
        {"sections": ["test_notes"], "hours": "72", "passcode": "", "note": "みどり町クリニック"},
    )
    link_page = created["Location"]
    token = client.session["health_share_tokens"].popitem()[1]
    locked = services.create_share_link(record=own_record, by=owner, sections=["test_notes"], hours=1, passcode="4821")
    anonymous = type(client)()
    pages = {
        "public record": anonymous.get(reverse("health_share:open", args=[token])),
        "passcode form": anonymous.get(reverse("health_share:open", args=[locked.token])),
        "gone": anonymous.get(reverse("health_share:open", args=["unknown"])),
    }
    pages |= {
        "record": client.get(reverse("portal:health_record", args=[own_record.pk])),
        "sharing": client.get(reverse("portal:health_sharing", args=[own_record.pk])),
        "sharing with errors": client.post(reverse("portal:health_sharing", args=[own_record.pk]), {"hours": "99"}),
        "link with QR": client.get(link_page),
        "caregivers": client.get(reverse("portal:health_caregivers", args=[own_record.pk])),
        "summary": client.get(reverse("portal:health_summary", args=[own_record.pk])),
    }
    assert "<svg" in pages["link with QR"].content.decode()
    assert pages["gone"].status_code == 404
    errors = vnu_errors({name: response.content.decode() for name, response in pages.items()}, tmp_path)
    assert not errors, "\n".join(errors)
