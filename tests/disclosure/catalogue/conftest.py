from __future__ import annotations

import datetime

import pytest

from disclosure.catalogue.models import CatalogueDocument, CatalogueFile, Category, Retention


@pytest.fixture
def make_document(db):
    def make(title: str, *, text: str = "", category=Category.PUBLIC, department="総務課", created_on=None, **extra):
        number = extra.pop("file_number", None) or f"総第{CatalogueDocument.objects.count() + 1}号"
        document = CatalogueDocument(
            title=title,
            file_number=number,
            department=department,
            created_on=created_on or datetime.date(2024, 5, 1),
            retention=Retention.FIVE,
            category=category,
            **extra,
        )
        document.refresh_search_fields([text] if text else [])
        document.save()
        return document

    return make


@pytest.fixture
def stored_files():
    """Names of the catalogue files on disk now (to prove an upload wrote none)."""
    storage = CatalogueFile._meta.get_field("file").storage

    def listing() -> set[str]:
        from pathlib import Path

        root = Path(storage.location)
        return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()

    return listing
