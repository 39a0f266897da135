"""The vaccination schedule: which vaccines a child gets by date of birth, each dose's due date and status."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from health.child import rules, selectors
from health.models import VaccinationGiven, Vaccine, VaccineDose

pytestmark = pytest.mark.django_db
D = datetime.date


def plan(birth, today=None):
    return {
        (p.vaccine.code, p.dose.number): p
        for p in selectors.plan_for_birth(birth, today or D(2024, 1, 1), selectors.schedule())
    }


def test_born_before_february_2024_gets_4_in_1_and_hib_and_pcv13():
    doses = plan(D(2024, 1, 15))
    codes = {code for code, _n in doses}
    assert {"dpt-ipv", "hib", "pcv13", "hepb", "rota", "bcg", "mr", "varicella", "je"} <= codes
    assert not codes & {"dpt-ipv-hib", "pcv15", "pcv20"}
    # Due at 2 months (the same day two months on), the Hib 2nd dose 27 days after that at the earliest.
    assert doses["dpt-ipv", 1].window.start == D(2024, 3, 15)
    assert doses["hib", 2].window.start == D(2024, 4, 11)
    assert doses["dpt-ipv", 1].window.end == D(2031, 7, 15)  # 90 months


def test_born_after_the_switch_gets_5_in_1_and_pcv15():
    doses = plan(D(2024, 3, 1))
    codes = {code for code, _n in doses}
    assert {"dpt-ipv-hib", "pcv15"} <= codes
    assert not codes & {"dpt-ipv", "hib", "pcv13", "pcv20"}
    assert doses["dpt-ipv-hib", 1].window.start == D(2024, 5, 1)
    assert doses["dpt-ipv-hib", 4].window.start == D(2025, 3, 1)  # 1期追加 from 12 months
    assert doses["bcg", 1].window == rules.Window(D(2024, 8, 1), D(2025, 3, 1))  # 5 months until 1 year


def test_born_from_august_2024_gets_pcv20():
    codes = {code for code, _n in plan(D(2024, 8, 1))}
    assert "pcv20" in codes and "pcv15" not in codes


def test_months_count_to_the_same_day_or_the_months_last_day():
    assert rules.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert rules.add_months(D(2023, 12, 31), 2) == D(2024, 2, 29)
    assert rules.age_date(D(2024, 5, 10), 0, 105) == D(2024, 8, 23)


def test_status_upcoming_due_overdue_done():
    window = rules.Window(D(2024, 7, 10), D(2024, 8, 23))
    assert rules.dose_status(window, D(2024, 7, 9), given=False) == "upcoming"
    assert rules.dose_status(window, D(2024, 7, 10), given=False) == "due"
    assert rules.dose_status(window, D(2024, 8, 23), given=False) == "overdue"
    assert rules.dose_status(window, D(2024, 8, 23), given=True) == "done"


def test_staff_edit_of_the_schedule_changes_the_due_date():
    dose = VaccineDose.objects.get(vaccine__code="bcg", number=1)
    dose.start_months = 6
    dose.save()
    assert plan(D(2024, 3, 1))["bcg", 1].window.start == D(2024, 9, 1)
    Vaccine.objects.filter(code="dpt-ipv-hib").update(born_from=D(2024, 4, 1))
    assert "dpt-ipv-hib" not in {code for code, _n in plan(D(2024, 3, 1))}


def test_the_page_shows_due_overdue_and_records_a_dose(client, child_record):
    client.force_login(child_record.member.household.owner)
    url = reverse("portal:health_vaccinations", args=[child_record.pk])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "5種混合（DPT-IPV-Hib）" in text and "4種混合" not in text  # born 2024-05-10
    assert "期限切れ" in text  # BCG's window closed at 1 year (2025-05-10)
    dose = VaccineDose.objects.get(vaccine__code="dpt-ipv-hib", number=1)
    answer = client.post(url, {"dose": dose.pk, "date": "2024-07-12", "lot": "AB123", "clinic": "みどり小児科"})
    assert answer.status_code == 302
    given = VaccinationGiven.objects.get(record=child_record)
    assert (given.dose, given.date, given.lot) == (dose, D(2024, 7, 12), "AB123")
    statuses = {
        (p.vaccine.code, p.dose.number): p.status for p in selectors.vaccination_plan(child_record, D(2024, 8, 1))
    }
    assert statuses["dpt-ipv-hib", 1] == "done" and statuses["dpt-ipv-hib", 2] == "due"  # 20 days after dose 1


def test_a_dose_before_birth_or_in_the_future_is_refused_in_japanese(client, child_record):
    client.force_login(child_record.member.household.owner)
    url = reverse("portal:health_vaccinations", args=[child_record.pk])
    dose = VaccineDose.objects.get(vaccine__code="bcg", number=1)
    page = client.post(url, {"dose": dose.pk, "date": "2024-05-01"}, follow=True)
    assert "生まれる前" in page.content.decode()
    page = client.post(url, {"dose": dose.pk, "date": "2999-01-01"}, follow=True)
    assert "未来" in page.content.decode()
    assert not VaccinationGiven.objects.exists()


def test_a_later_dose_waits_its_interval_after_the_earlier_dose_actually_given(child_record):
    """Born 2024-05-10: 5種混合 dose 2 opens at 2 months + 20 days, or 20 days after dose 1 if that was later."""
    doses = {d.number: d for d in VaccineDose.objects.filter(vaccine__code="dpt-ipv-hib")}
    plan_now = {(p.vaccine.code, p.dose.number): p for p in selectors.vaccination_plan(child_record, D(2024, 7, 1))}
    assert plan_now["dpt-ipv-hib", 2].window.start == D(2024, 7, 30)
    VaccinationGiven.objects.create(record=child_record, dose=doses[1], date=D(2024, 8, 20))
    VaccinationGiven.objects.create(record=child_record, dose=doses[3], date=D(2024, 9, 30))
    plan_later = {(p.vaccine.code, p.dose.number): p for p in selectors.vaccination_plan(child_record, D(2024, 9, 10))}
    assert plan_later["dpt-ipv-hib", 2].window.start == D(2024, 9, 9)  # 20 days after 2024-08-20
    assert plan_later["dpt-ipv-hib", 2].status == "due"
    assert plan_later["dpt-ipv-hib", 4].window.start == D(2025, 5, 10)  # 12 months is later than 6 months after dose 3
    VaccinationGiven.objects.filter(dose=doses[3]).update(date=D(2024, 12, 20))
    plan_late = {(p.vaccine.code, p.dose.number): p for p in selectors.vaccination_plan(child_record, D(2025, 1, 1))}
    assert plan_late["dpt-ipv-hib", 4].window.start == D(2025, 6, 20)  # 6 months after a late dose 3
