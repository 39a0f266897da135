"""Check-up results (健診結果): judged by content, limited in size, kept outside public media, served
only to who manages the record, and deleted from disk with their row, record or account."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from health.models import CheckupFile, Condition, HealthRecord
from health.records import files
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes(size=(4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (8, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture(autouse=True)
def files_root(tmp_path, settings):
    settings.HEALTH_FILES_ROOT = tmp_path / "health-files"
    settings.HEALTH_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    return settings.HEALTH_FILES_ROOT


def upload(client, record, content: bytes, name: str, content_type: str = "application/pdf", title="町の健診 2026"):
    return client.post(
        reverse("portal:health_entry_add", args=[record.pk, "checkups"]),
        {
            "title": title,
            "taken_on": "2026-06-01",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("content", "name", "kind", "content_type", "disposition"),
    [
        (PDF, "kenshin.pdf", "pdf", "application/pdf", "attachment"),
        (png_bytes(), "kenshin.png", "png", "image/png", "inline"),
    ],
)
def test_upload_and_download(client, own_record, files_root, content, name, kind, content_type, disposition):
    client.force_login(own_record.user)
    response = upload(client, own_record, content, name)
    assert response.status_code == 302
    entry = CheckupFile.objects.get(record=own_record)
    assert entry.kind == kind and entry.original_name == name
    path = files.path_of(entry.stored_name)
    assert path.is_file() and files_root in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert name not in str(path), "stored under a random name"

    served = client.get(reverse("portal:health_checkup_file", args=[own_record.pk, entry.pk]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == path.read_bytes()
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"].startswith(disposition)
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served["Cache-Control"] and "private" in served["Cache-Control"]
    assert "sandbox" in served["Content-Security-Policy"]

    listing = client.get(reverse("portal:health_entries", args=[own_record.pk, "checkups"])).content.decode()
    assert "町の健診 2026" in listing


def test_a_guardian_uploads_for_a_child(client, child_record):
    client.force_login(child_record.member.household.owner)
    assert upload(client, child_record, PDF, "taro.pdf").status_code == 302
    entry = CheckupFile.objects.get(record=child_record)
    url = reverse("portal:health_checkup_file", args=[child_record.pk, entry.pk])
    assert client.get(url).status_code == 200


def test_exif_and_gps_are_stripped_from_photos(client, own_record):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "PhoneMaker"
    client.force_login(own_record.user)
    assert upload(client, own_record, original, "photo.jpg", "image/jpeg").status_code == 302
    stored = files.path_of(CheckupFile.objects.get().stored_name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (8, 6)
        assert not image.getexif()
    assert b"PhoneMaker" not in stored


@pytest.mark.parametrize("who", ["other_resident", "staff", "superuser", "anonymous"])
def test_others_get_404_on_the_file(client, own_record, child_record, who):
    client.force_login(own_record.user)
    upload(client, own_record, PDF, "a.pdf")
    upload(client, child_record, PDF, "b.pdf")
    client.logout()
    if who != "anonymous":
        client.force_login(UserFactory(is_staff=who != "other_resident", is_superuser=who == "superuser"))
    for entry in CheckupFile.objects.all():
        response = client.get(reverse("portal:health_checkup_file", args=[entry.record_id, entry.pk]))
        assert response.status_code == (302 if who == "anonymous" else 404)
        if who != "anonymous":
            for name in ("health_entry_edit", "health_entry_delete"):
                url = reverse(f"portal:{name}", args=[entry.record_id, "checkups", entry.pk])
                assert client.get(url).status_code == 404


def test_the_file_is_404_under_another_of_ones_own_records(client, own_record, child_record):
    client.force_login(own_record.user)
    upload(client, child_record, PDF, "b.pdf")
    entry = CheckupFile.objects.get()
    assert client.get(reverse("portal:health_checkup_file", args=[own_record.pk, entry.pk])).status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (png_bytes(), "result.pdf", "application/pdf"),  # PNG bytes named .pdf: stored as PNG, not as a PDF
    ],
)
def test_the_name_is_not_trusted(client, own_record, content, name, content_type):
    client.force_login(own_record.user)
    assert upload(client, own_record, content, name, content_type).status_code == 302
    entry = CheckupFile.objects.get()
    assert entry.kind == "png"
    served = client.get(reverse("portal:health_checkup_file", args=[own_record.pk, entry.pk]))
    assert served["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"just some text, not a result\n", "result.pdf", "application/pdf"),
        (b"<html><script>alert(1)</script></html>", "result.png", "image/png"),
        (b"\x89PNG\r\n\x1a\n" + b"broken" * 20, "result.png", "image/png"),  # PNG signature, no image
        (b"%PDF-1.4 truncated", "result.pdf", "application/pdf"),  # no end of file marker
        (b"GIF89a" + b"\x00" * 20, "result.gif", "image/gif"),
    ],
)
def test_wrong_content_is_refused_in_japanese_and_nothing_is_saved(
    client, own_record, files_root, content, name, content_type
):
    client.force_login(own_record.user)
    response = upload(client, own_record, content, name, content_type)
    assert response.status_code == 400
    assert "このファイルは使えません。PDF、JPEG、PNG のファイル" in response.content.decode()
    assert not CheckupFile.objects.exists()
    assert stored_files(files_root) == []


def test_too_big_is_refused_in_japanese_and_nothing_is_saved(client, own_record, files_root, settings):
    settings.HEALTH_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(own_record.user)
    big = PDF[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    response = upload(client, own_record, big, "big.pdf")
    assert response.status_code == 400
    assert "ファイルが大きすぎます。1 MB 以下のファイルにしてください。" in response.content.decode()
    assert not CheckupFile.objects.exists()
    assert stored_files(files_root) == []


def test_a_picture_with_too_many_pixels_is_refused(client, own_record, files_root, monkeypatch):
    monkeypatch.setattr(files, "MAX_PIXELS", 100)
    client.force_login(own_record.user)
    response = upload(client, own_record, png_bytes((20, 20)), "big.png", "image/png")
    assert response.status_code == 400
    assert "画素数が多すぎます" in response.content.decode()
    assert not CheckupFile.objects.exists() and stored_files(files_root) == []


def test_default_limit_is_ten_megabytes():
    from portal.env import REGISTRY

    assert REGISTRY["HEALTH_UPLOAD_MAX_MB"].default == "10"
    assert REGISTRY["HEALTH_FILES_ROOT"].default.endswith("health-files")


def test_deleting_the_entry_removes_the_file(client, own_record, django_capture_on_commit_callbacks):
    client.force_login(own_record.user)
    upload(client, own_record, PDF, "a.pdf")
    entry = CheckupFile.objects.get()
    path = files.path_of(entry.stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:health_entry_delete", args=[own_record.pk, "checkups", entry.pk]))
    assert response.status_code == 302
    assert not CheckupFile.objects.exists()
    assert not path.exists()


def test_editing_changes_the_title_but_not_the_file(client, own_record):
    client.force_login(own_record.user)
    upload(client, own_record, PDF, "a.pdf")
    entry = CheckupFile.objects.get()
    url = reverse("portal:health_entry_edit", args=[own_record.pk, "checkups", entry.pk])
    assert client.post(url, {"title": "人間ドック", "taken_on": "2026-05-01"}).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "人間ドック" and files.path_of(entry.stored_name).read_bytes() == PDF


def test_deleting_the_account_deletes_all_health_data_and_files(
    client, own_record, child_record, files_root, django_capture_on_commit_callbacks
):
    user = own_record.user
    client.force_login(user)
    upload(client, own_record, PDF, "mine.pdf")
    upload(client, child_record, png_bytes(), "taro.png", "image/png")
    Condition.objects.create(record=own_record, name="高血圧")
    Condition.objects.create(record=child_record, name="中耳炎")
    paths = [files.path_of(e.stored_name) for e in CheckupFile.objects.all()]
    assert all(p.exists() for p in paths) and len(paths) == 2
    other = UserFactory()
    client.force_login(other)
    upload(client, HealthRecord.objects.create(user=other), PDF, "theirs.pdf")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not HealthRecord.objects.filter(pk__in=[own_record.pk, child_record.pk]).exists()
    assert not Condition.objects.exists()
    assert list(CheckupFile.objects.values_list("original_name", flat=True)) == ["theirs.pdf"]
    assert not any(p.exists() for p in paths)
    assert not files.record_dir(own_record.pk).exists() and not files.record_dir(child_record.pk).exists()
    assert len(stored_files(files_root)) == 1, "another resident's file stays"


def test_removing_a_household_member_deletes_their_record_and_files(
    client, child_record, django_capture_on_commit_callbacks
):
    owner = child_record.member.household.owner
    client.force_login(owner)
    upload(client, child_record, PDF, "taro.pdf")
    path = files.path_of(CheckupFile.objects.get().stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:member_delete", args=[child_record.member_id]))
    assert response.status_code == 302
    assert not HealthRecord.objects.filter(pk=child_record.pk).exists()
    assert not CheckupFile.objects.exists()
    assert not path.exists()


def test_a_failed_save_leaves_no_file(own_record, files_root, monkeypatch):
    from health.records import services

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(CheckupFile, "save", broken_save)
    with pytest.raises(RuntimeError):
        services.add_checkup(record=own_record, upload=SimpleUploadedFile("a.pdf", PDF), title="t")
    assert stored_files(files_root) == []


def test_a_turned_photo_is_stored_upright_without_its_orientation_tag(own_record):
    from health.records import services

    image = Image.new("RGB", (8, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    entry = services.add_checkup(record=own_record, upload=SimpleUploadedFile("p.jpg", out.getvalue()), title="t")
    with Image.open(files.path_of(entry.stored_name)) as stored:
        assert stored.size == (6, 8)
        assert 0x0112 not in stored.getexif()


def test_a_named_caregiver_opens_the_file(client, own_record):
    from tests.health.factories import CaregiverFactory

    client.force_login(own_record.user)
    upload(client, own_record, PDF, "a.pdf")
    daughter = CaregiverFactory(record=own_record).user
    client.force_login(daughter)
    entry = CheckupFile.objects.get()
    assert client.get(reverse("portal:health_checkup_file", args=[own_record.pk, entry.pk])).status_code == 200
