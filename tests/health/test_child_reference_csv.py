"""健康 staff load the Japanese growth reference table as CSV: checked row by row, all or nothing.

The CSV used here (tests/health/data/jp_growth_TEST_DATA.csv) is MADE-UP test data, not the survey.
"""

from __future__ import annotations

import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from health.child import references, services
from health.models import GrowthReference, GrowthReferenceRow
from portal.staff import HEALTH
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db
TEST_CSV = (pathlib.Path(__file__).parent / "data" / "jp_growth_TEST_DATA.csv").read_bytes()


def load(data: bytes, **kwargs):
    return services.load_reference_table(
        data=data,
        name=kwargs.get("name", "テスト表"),
        source="test data",
        is_default=kwargs.get("is_default", True),
        by=None,
    )


def test_a_valid_table_loads_and_becomes_the_default_reference():
    table = load(TEST_CSV)
    assert table.rows.count() == 3
    reference = references.reference_for("", "male", 24)
    assert reference.key == "jp" and reference.name == "テスト表"
    assert reference.curves["weight"][1] == (12.0, {3: 7.0, 10: 7.5, 25: 8.0, 50: 8.5, 75: 9.0, 90: 9.5, 97: 10.0})
    assert references.reference_for("who", "male", 24).key == "who"  # the family may still choose WHO


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("boy,weight,6,5,6,7,8,9,10,11", "3行目：sex は male か female にしてください。"),
        ("male,arm,6,5,6,7,8,9,10,11", "3行目：measure は weight・height・head のいずれかにしてください。"),
        ("male,weight,6,5,6,x,8,9,10,11", "3行目：月齢とパーセンタイル値はすべて数値にしてください。"),
        ("male,weight,6,5,6,7,8,9,10", "3行目：列の数は10にしてください。"),
        ("male,weight,80,5,6,7,8,9,10,11", "3行目：月齢は0から72の間にしてください。"),
        ("male,weight,6,5,6,9,8,9,10,11", "3行目：パーセンタイル値がp3からp97に向かって小さくなっています。"),
        ("male,weight,0,2,2.5,2.8,3,3.3,3.6,3.9", "3行目：同じ性別・項目・月齢の行が2つあります。"),
        ("male,weight,6,5,6,7,8,9,10,99", "3行目：値が0.3〜60の範囲外です（体重はkg、それ以外はcm）。"),
    ],
)
def test_a_wrong_row_is_named_in_japanese_and_nothing_is_saved(line, message):
    data = b"sex,measure,age_months,p3,p10,p25,p50,p75,p90,p97\nmale,weight,0,2,2.5,2.8,3,3.3,3.6,3.9\n" + line.encode()
    with translation.override("ja"), pytest.raises(services.ReferenceCsvError) as caught:
        load(data)
    assert message in caught.value.errors
    assert not GrowthReference.objects.exists() and not GrowthReferenceRow.objects.exists()


def test_a_wrong_header_or_encoding_is_refused():
    with translation.override("ja"):
        with pytest.raises(services.ReferenceCsvError) as caught:
            load(b"sex,age,p50\nmale,0,3\n")
        assert caught.value.errors[0].startswith("1行目は次のとおりにしてください")
        with pytest.raises(services.ReferenceCsvError) as caught:
            load("sex,measure\n男".encode("shift_jis"))
        assert caught.value.errors == ["ファイルがUTF-8のテキストではありません。"]


def test_health_staff_upload_through_the_admin(client):
    mfa_staff(client, HEALTH)
    url = reverse("health_growth_references:add")
    bad = SimpleUploadedFile("t.csv", TEST_CSV + b"female,head,3,40,39,41,42,43,44,45\n", content_type="text/csv")
    page = client.post(url, {"name": "テスト", "source": "test", "file": bad})
    assert page.status_code == 200 and "5行目" in page.content.decode()
    assert not GrowthReference.objects.exists()
    good = SimpleUploadedFile("t.csv", TEST_CSV, content_type="text/csv")
    page = client.post(url, {"name": "テスト", "source": "test", "file": good, "is_default": "on"})
    assert page.status_code == 302
    assert GrowthReference.objects.get().rows.count() == 3
    assert client.get(reverse("health_vaccines:index")).status_code == 200


def test_other_staff_cannot_upload(client):
    from portal.staff import SAFETY

    mfa_staff(client, SAFETY)
    assert client.get(reverse("health_growth_references:add")).status_code in (302, 403)


def test_the_chart_names_the_japanese_table_when_the_family_or_staff_choose_it(client, child_record):
    from health.models import ChildProfile

    load(TEST_CSV, name="テスト表（作り物）", is_default=False)
    ChildProfile.objects.create(record=child_record, sex="male", growth_reference="who")
    client.force_login(child_record.member.household.owner)
    url = reverse("portal:health_growth", args=[child_record.pk])
    assert "基準：WHO子どもの成長基準（2006年）" in client.get(url).content.decode()
    ChildProfile.objects.filter(record=child_record).update(growth_reference="jp")
    assert "基準：テスト表（作り物）" in client.get(url).content.decode()
    ChildProfile.objects.filter(record=child_record).update(growth_reference="")
    assert "基準：WHO" in client.get(url).content.decode()  # no staff default yet
    GrowthReference.objects.update(is_default=True)
    assert "基準：テスト表（作り物）" in client.get(url).content.decode()


def test_a_dose_named_by_a_childs_record_cannot_be_deleted_by_staff(client, child_record):
    import datetime

    from health.models import VaccinationGiven, VaccineDose

    dose = VaccineDose.objects.get(vaccine__code="bcg", number=1)
    VaccinationGiven.objects.create(record=child_record, dose=dose, date=datetime.date(2024, 11, 1))
    mfa_staff(client, HEALTH)
    page = client.post(reverse("health_vaccine_doses:delete", args=[dose.pk]), follow=True)
    assert page.status_code == 200 and "削除できません" in page.content.decode()
    assert VaccineDose.objects.filter(pk=dose.pk).exists()


def test_health_staff_edit_the_schedule_and_other_staff_do_not(client):
    from health.models import VaccineDose
    from portal.staff import SAFETY

    dose = VaccineDose.objects.get(vaccine__code="bcg", number=1)
    mfa_staff(client, HEALTH)
    for url in (
        reverse("health_vaccine_doses:index"),
        reverse("health_vaccine_doses:edit", args=[dose.pk]),
        reverse("health_growth_references:index"),
        reverse("health_growth_references:add"),
    ):
        assert client.get(url).status_code == 200, url
    data = {"vaccine": dose.vaccine_id, "number": 1, "label": "1回", "start_months": 6, "start_days": 0}
    data |= {"end_months": 12, "end_days": 0, "notes": "", "interval_months": 0, "interval_days": 0}
    assert client.post(reverse("health_vaccine_doses:edit", args=[dose.pk]), data).status_code == 302
    dose.refresh_from_db()
    assert dose.start_months == 6
    client.logout()
    mfa_staff(client, SAFETY)
    assert client.get(reverse("health_vaccine_doses:edit", args=[dose.pk])).status_code in (302, 403)
