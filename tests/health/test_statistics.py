"""健康 staff see counts by district and age band in the Wagtail admin, small cells hidden, and never
open a resident's record."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from health.models import CheckupFile
from health.records import statistics
from portal.models import AccessLog
from portal.staff import HEALTH, WEB
from tests.health.factories import MemberRecordFactory, RecordFactory
from tests.portal.factories import DistrictFactory, HouseholdFactory, UserFactory
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def town():
    """本町: 6 children aged 0–5 and 2 adults of 40–64 (members); 3 residents' own records. 新町: 1 child."""
    honcho, shinmachi = DistrictFactory(name="本町"), DistrictFactory(name="新町")
    household = HouseholdFactory(owner=UserFactory(district=honcho))
    for i in range(6):
        MemberRecordFactory(member__household=household, member__birth_date=datetime.date(2022, 1, 1 + i))
    for year in (1970, 1980):
        MemberRecordFactory(member__household=household, member__birth_date=datetime.date(year, 6, 1))
    for _ in range(3):
        RecordFactory(user=UserFactory(district=honcho))
    MemberRecordFactory(member__household=HouseholdFactory(owner=UserFactory(district=shinmachi)))
    return honcho, shinmachi


def test_counts_by_district_and_age_band(town):
    honcho, shinmachi = town
    counts = statistics.counts(TODAY)
    assert counts[(honcho.pk, "0-5")] == 6
    assert counts[(honcho.pk, "40-64")] == 2
    assert counts[(honcho.pk, "unknown")] == 3
    assert counts[(shinmachi.pk, "0-5")] == 1


def test_age_bands_change_on_the_birthday():
    born = datetime.date(2020, 12, 7)
    MemberRecordFactory(member__birth_date=born)
    assert set(statistics.counts(datetime.date(2026, 12, 6))) == {(None, "0-5")}
    assert set(statistics.counts(datetime.date(2026, 12, 7))) == {(None, "6-14")}


def test_cells_under_five_are_suppressed(town):
    table = statistics.table(TODAY)
    rows = dict(table.rows)
    assert rows["本町"][0] == "6"
    assert rows["本町"][3] == "5未満"  # 2 adults of 40–64
    assert rows["本町"][-1] == "5未満"  # 3 residents without a date of birth
    assert rows["新町"][0] == "5未満"  # 1 child
    assert rows["新町"][1] == "5未満"  # zero is hidden too
    assert table.total == "10"  # 12 records, rounded to tens


def test_health_staff_see_the_statistics_page_and_it_is_logged(client, town):
    staff = mfa_staff(client, HEALTH)
    page = client.get(reverse("health_statistics"))
    assert page.status_code == 200
    html = page.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "本町" in main and "5未満" in html and ">6<" in html
    assert "太郎" not in main and "example.jp" not in main and "2022" not in main
    assert AccessLog.objects.filter(staff=staff, action="statistics").exists()
    assert reverse("health_statistics") in client.get(reverse("wagtailadmin_home")).content.decode()


def test_other_staff_are_refused_and_do_not_see_the_menu(client, town):
    mfa_staff(client, WEB)
    assert client.get(reverse("health_statistics")).status_code in (302, 403)
    assert reverse("health_statistics") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_health_staff_get_404_on_a_residents_record_and_file(client, own_record):
    entry = CheckupFile.objects.create(
        record=own_record, title="健診", kind="pdf", size=1, stored_name="x/1", sha256="0"
    )
    mfa_staff(client, HEALTH)
    assert client.get(reverse("portal:health_record", args=[own_record.pk])).status_code == 404
    assert client.get(reverse("portal:health_entries", args=[own_record.pk, "conditions"])).status_code == 404
    assert client.get(reverse("portal:health_checkup_file", args=[own_record.pk, entry.pk])).status_code == 404
