"""Add documents to the public catalogue from a CSV and their files: all of them, or none.

    python manage.py import_catalogue documents.csv --files scans/        # a folder
    python manage.py import_catalogue documents.csv --zip files.zip

The CSV's columns are in docs/disclosure-catalogue.md (UTF-8 or Shift_JIS/cp932). Any problem is
listed with its line number and nothing is saved.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosure.catalogue.bulk import files_from_zip, import_catalogue
from disclosure.catalogue.errors import CatalogueImportError


class Command(BaseCommand):
    help = "Add documents to the public document catalogue from a CSV of metadata and their files."

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path)
        parser.add_argument("--files", type=Path, help="Folder holding the files the CSV names.")
        parser.add_argument("--zip", type=Path, help="Zip holding the files the CSV names.")

    def handle(self, *args, csv: Path, files: Path | None, zip: Path | None, **options):
        found: dict[str, bytes] = {}
        try:
            if zip:
                found.update(files_from_zip(Path(zip).read_bytes()))
            if files:
                found.update({p.name: p.read_bytes() for p in sorted(Path(files).rglob("*")) if p.is_file()})
            documents = import_catalogue(csv_bytes=Path(csv).read_bytes(), files=found)
        except CatalogueImportError as error:
            raise CommandError("\n".join(error.problems)) from error
        ocr = sum(1 for d in documents for f in d.files.all() if f.needs_ocr)
        self.stdout.write(f"{len(documents)} documents added; {ocr} files need OCR (OCR未処理).")
