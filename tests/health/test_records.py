"""Medical history, medicines and allergies: add, list, edit, delete on one's own record and a child's;
anyone else (another resident, staff) gets 404 on every page; bad input is refused in Japanese."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from health.models import Allergy, Condition, Medicine
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

# (kind, model, a valid form, the field changed on edit, its new value, text the list shows)
KINDS = [
    (
        "conditions",
        Condition,
        {"name": "ぜんそく", "onset": "2020-04-01", "status": "active", "note": "季節の変わり目に悪化"},
        "status",
        "resolved",
        "治った",
    ),
    (
        "medicines",
        Medicine,
        {
            "name": "アムロジピン",
            "dose": "5mg 朝1錠",
            "start": "2025-01-10",
            "end": "",
            "clinic": "町立診療所",
            "note": "",
        },
        "dose",
        "2.5mg 朝1錠",
        "町立診療所",
    ),
    (
        "allergies",
        Allergy,
        {"substance": "卵", "reaction": "じんましん", "severity": "moderate", "note": ""},
        "severity",
        "severe",
        "じんましん",
    ),
]


def _url(name, record, kind, *extra):
    return reverse(f"portal:{name}", args=[record.pk, kind, *extra])


@pytest.mark.parametrize(("kind", "model", "data", "field", "new_value", "shown"), KINDS)
@pytest.mark.parametrize("whose", ["own", "child"])
def test_add_list_edit_delete(client, own_record, child_record, kind, model, data, field, new_value, shown, whose):
    record = own_record if whose == "own" else child_record
    client.force_login(own_record.user)

    page = client.get(_url("health_entries", record, kind))
    assert page.status_code == 200
    assert "まだ" in page.content.decode() or "ありません" in page.content.decode()

    assert client.get(_url("health_entry_add", record, kind)).status_code == 200
    response = client.post(_url("health_entry_add", record, kind), data)
    assert response.status_code == 302
    entry = model.objects.get(record=record)
    assert response["Location"] == _url("health_entries", record, kind)

    listing = client.get(_url("health_entries", record, kind)).content.decode()
    assert str(entry) in listing
    if kind != "conditions":
        assert shown in listing

    edited = {**data, field: new_value}
    assert client.get(_url("health_entry_edit", record, kind, entry.pk)).status_code == 200
    assert client.post(_url("health_entry_edit", record, kind, entry.pk), edited).status_code == 302
    entry.refresh_from_db()
    assert getattr(entry, field) == new_value
    if kind == "conditions":
        assert shown in client.get(_url("health_entries", record, kind)).content.decode()

    record_page = client.get(reverse("portal:health_record", args=[record.pk])).content.decode()
    assert _url("health_entries", record, kind) in record_page

    assert client.get(_url("health_entry_delete", record, kind, entry.pk)).status_code == 200
    assert client.post(_url("health_entry_delete", record, kind, entry.pk)).status_code == 302
    assert not model.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser"])
@pytest.mark.parametrize(("kind", "model", "data", "field", "new_value", "shown"), KINDS)
def test_others_get_404_on_every_page_and_change_nothing(
    client, own_record, child_record, who, kind, model, data, field, new_value, shown
):
    entries = {}
    for record in (own_record, child_record):
        entries[record.pk] = model.objects.create(record=record, **_model_fields(model, data))
    other = UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser")
    client.force_login(other)
    for record in (own_record, child_record):
        entry = entries[record.pk]
        assert client.get(_url("health_entries", record, kind)).status_code == 404
        assert client.get(_url("health_entry_add", record, kind)).status_code == 404
        assert client.post(_url("health_entry_add", record, kind), data).status_code == 404
        assert client.get(_url("health_entry_edit", record, kind, entry.pk)).status_code == 404
        assert (
            client.post(_url("health_entry_edit", record, kind, entry.pk), {**data, field: new_value}).status_code
            == 404
        )
        assert client.post(_url("health_entry_delete", record, kind, entry.pk)).status_code == 404
    assert model.objects.count() == 2
    assert not model.objects.filter(**{field: new_value}).exists()


def test_an_entry_of_one_record_is_not_reachable_through_another_record(client, own_record, child_record):
    """Both records are 花子's; a child's condition under her own record's URL is still 404."""
    condition = Condition.objects.create(record=child_record, name="中耳炎")
    client.force_login(own_record.user)
    assert client.get(_url("health_entry_edit", own_record, "conditions", condition.pk)).status_code == 404
    assert client.post(_url("health_entry_delete", own_record, "conditions", condition.pk)).status_code == 404
    assert Condition.objects.filter(pk=condition.pk).exists()


def test_a_medicine_ending_before_it_starts_is_refused_in_japanese_and_nothing_is_saved(client, own_record):
    client.force_login(own_record.user)
    response = client.post(
        _url("health_entry_add", own_record, "medicines"),
        {"name": "ロキソプロフェン", "dose": "", "start": "2026-03-10", "end": "2026-03-01", "clinic": "", "note": ""},
    )
    assert response.status_code == 400
    assert "終了日が開始日より前です。" in response.content.decode()
    assert not Medicine.objects.exists()


def test_a_condition_without_a_name_is_refused(client, own_record):
    client.force_login(own_record.user)
    response = client.post(_url("health_entry_add", own_record, "conditions"), {"name": "", "status": "active"})
    assert response.status_code == 400
    assert "この項目は必須です" in response.content.decode()
    assert not Condition.objects.exists()


def test_an_unknown_kind_is_404(client, own_record):
    client.force_login(own_record.user)
    assert client.get(f"/my/health/{own_record.pk}/secrets/").status_code == 404


def test_record_page_counts_entries_in_one_query(client, own_record, django_assert_max_num_queries):
    Condition.objects.create(record=own_record, name="高血圧", onset=datetime.date(2019, 1, 1))
    Medicine.objects.create(record=own_record, name="アムロジピン")
    Medicine.objects.create(record=own_record, name="ロスバスタチン")
    client.force_login(own_record.user)
    page = client.get(reverse("portal:health_record", args=[own_record.pk])).content.decode()
    assert "病歴" in page and "お薬" in page
    assert "（2件）" in page and "（1件）" in page


def _model_fields(model, data):
    names = {f.name for f in model._meta.get_fields()}
    return {k: (v or None) if k in {"onset", "start", "end"} else v for k, v in data.items() if k in names}
