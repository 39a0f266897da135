"""Writes of medical history, medicines, allergies and check-up files: keyword-only, one transaction.

Rules, in plain words:

* Whoever may manage a record (``health.access``) may add, change and remove its entries; the views
  find the record through ``health.selectors.record_for`` first, so these functions trust it.
* A check-up file is checked by its content before anything is written (``files.check_upload``); a
  refused upload leaves no row and no file. If the row cannot be saved, the file just written is
  removed again.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from health.models import CheckupFile, HealthRecord
from health.records import files


@transaction.atomic
def add_entry(*, model: type[models.Model], record: HealthRecord, **fields) -> models.Model:
    """Add a condition, medicine or allergy to the record."""
    entry = model(record=record, **fields)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def update_entry(*, entry: models.Model, **fields) -> models.Model:
    """Change an entry's fields (never its record)."""
    fields.pop("record", None)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def delete_entry(*, entry: models.Model) -> None:
    """Delete an entry; a check-up file's bytes go too once the deletion commits (``signals``)."""
    entry.delete()


def add_checkup(*, record: HealthRecord, upload: UploadedFile, title: str, taken_on=None) -> CheckupFile:
    """Store a check-up result. Raises ``files.UploadRefused`` (too large, not a PDF/JPEG/PNG) first."""
    checked = files.check_upload(upload)
    stored_name, digest = files.write(record.pk, checked.content)
    try:
        with transaction.atomic():
            entry = CheckupFile(
                record=record,
                title=title,
                taken_on=taken_on,
                kind=checked.kind,
                size=len(checked.content),
                original_name=(upload.name or "")[-255:],
                stored_name=stored_name,
                sha256=digest,
            )
            entry.full_clean()
            entry.save()
    except BaseException:
        files.remove(stored_name)
        raise
    return entry
