"""Bulk upload of catalogue documents: a CSV of metadata plus the files it names.

Every row is checked first (with its line number, in the staff member's language); if anything is
wrong, nothing is saved and no file is written. Only then, in one transaction, are the documents
created and their files written. The CSV may be UTF-8 or Shift_JIS/cp932 (what Excel in Japan
saves). Columns: docs/disclosure-catalogue.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from disclosure.catalogue.errors import CatalogueImportError
from disclosure.catalogue.extract import Extracted, UnsupportedFile, check_signature, extract, kind_of
from disclosure.catalogue.models import CatalogueDocument, CatalogueFile, Category, Retention

logger = logging.getLogger(__name__)

#: The CSV's columns: header (as staff write it) → field. English headers are accepted too.
COLUMNS = {
    "文書番号": "file_number",
    "件名": "title",
    "担当課": "department",
    "作成日": "created_on",
    "決裁日": "decided_on",
    "保存期間": "retention",
    "公開区分": "category",
    "キーワード": "keywords",
    "ファイル": "files",
}
ENGLISH_COLUMNS = {value: value for value in COLUMNS.values()}
REQUIRED = ("file_number", "title", "department", "created_on", "retention", "category")

CATEGORY_WORDS = {
    "公開": Category.PUBLIC,
    "部分公開": Category.PARTIAL,
    "非公開": Category.CLOSED,
    "請求により判断": Category.ON_REQUEST,
} | {c.value: c for c in Category}
RETENTION_WORDS = {
    "1年": Retention.ONE,
    "3年": Retention.THREE,
    "5年": Retention.FIVE,
    "10年": Retention.TEN,
    "30年": Retention.THIRTY,
    "永年": Retention.PERMANENT,
    "常用": Retention.PERMANENT,
} | {r.value: r for r in Retention}
#: File names in the ファイル column are separated by any of these.
FILE_SEPARATORS = re.compile(r"[;；|｜\n]")


@dataclass
class Row:
    line: int
    values: dict
    files: list[tuple[str, str, bytes, Extracted]] = field(default_factory=list)


def decode_csv(data: bytes) -> str:
    """The CSV's text: UTF-8 (BOM or not), else cp932; CatalogueImportError if it is neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CatalogueImportError([_("The CSV file is neither UTF-8 nor Shift_JIS (cp932). Save it again as CSV.")])


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The name of a zip member as written: zips from Japanese Windows store names in cp932 without saying so."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp932")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def files_from_zip(data: bytes) -> dict[str, bytes]:
    """Each file of a zip by its name without folders."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise CatalogueImportError([_("The zip file cannot be opened.")]) from error
    files: dict[str, bytes] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = PurePosixPath(_zip_name(info).replace("\\", "/")).name
        if name.startswith(".") or name.startswith("__MACOSX"):
            continue
        files[name] = archive.read(info)
    return files


def _date(text: str) -> datetime.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def parse(csv_bytes: bytes, files: dict[str, bytes]) -> list[Row]:
    """Every row of the CSV checked, with the files it names read and their text extracted.

    Raises CatalogueImportError listing every problem (line numbers as a spreadsheet shows them,
    the header being line 1) when there is any.
    """
    text = decode_csv(csv_bytes)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogueImportError([_("The CSV file is empty.")]) from None
    except csv.Error as error:
        raise CatalogueImportError([_("Line 1: the CSV cannot be read (%(error)s).") % {"error": error}]) from None
    columns = [COLUMNS.get(name.strip()) or ENGLISH_COLUMNS.get(name.strip().lower()) for name in header]
    problems: list[str] = []
    missing = [name for name, key in COLUMNS.items() if key in REQUIRED and key not in columns]
    if missing:
        raise CatalogueImportError(
            [_("Line 1: the header lacks the columns %(columns)s.") % {"columns": "、".join(missing)}]
        )
    rows: list[Row] = []
    seen: dict[str, int] = {}
    used_files: set[str] = set()
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            row = {key: (values[i].strip() if i < len(values) else "") for i, key in enumerate(columns) if key}
            problems += _check_row(line, row, seen, files, used_files)
            rows.append(Row(line, row))
    except csv.Error as error:
        problems.append(
            _("Line %(line)s: the CSV cannot be read (%(error)s).") % {"line": reader.line_num, "error": error}
        )
    if not rows and not problems:
        problems.append(_("The CSV file has no documents below its header."))
    existing = set(
        CatalogueDocument.objects.filter(file_number__in=[r.values["file_number"] for r in rows]).values_list(
            "file_number", flat=True
        )
    )
    for row in rows:
        if row.values["file_number"] in existing:
            problems.append(
                _("Line %(line)s: file number %(number)s is already in the catalogue.")
                % {"line": row.line, "number": row.values["file_number"]}
            )
    for name in sorted(set(files) - used_files):
        problems.append(_("The file %(name)s is not named in the CSV's ファイル column.") % {"name": name})
    if problems:
        raise CatalogueImportError(problems)
    for row in rows:
        for name in _file_names(row.values):
            kind = kind_of(name)
            row.files.append((name, kind, files[name], extract(kind, files[name])))
    return rows


def _file_names(values: dict) -> list[str]:
    return [name.strip() for name in FILE_SEPARATORS.split(values.get("files", "")) if name.strip()]


def _check_row(line: int, row: dict, seen: dict[str, int], files: dict[str, bytes], used: set[str]) -> list[str]:
    problems = []
    say = {"line": line}
    labels = {key: header for header, key in COLUMNS.items()}
    for key in REQUIRED:
        if not row.get(key):
            problems.append(_("Line %(line)s: %(column)s is empty.") % {"line": line, "column": labels[key]})
    number = row.get("file_number", "")
    if number:
        if number in seen:
            problems.append(
                _("Line %(line)s: file number %(number)s is also on line %(other)s.")
                % {"line": line, "number": number, "other": seen[number]}
            )
        seen.setdefault(number, line)
    if len(row.get("title", "")) > 300:
        problems.append(_("Line %(line)s: the title is longer than 300 characters.") % say)
    for key, limit in (("file_number", 100), ("department", 100), ("keywords", 500)):
        if len(row.get(key, "")) > limit:
            problems.append(
                _("Line %(line)s: %(column)s is longer than %(limit)s characters.")
                % {"line": line, "column": labels[key], "limit": limit}
            )
    for key in ("created_on", "decided_on"):
        if row.get(key):
            day = _date(row[key])
            if day is None:
                problems.append(
                    _("Line %(line)s: %(column)s %(value)s is not a date like 2024-04-01.")
                    % {"line": line, "column": labels[key], "value": row[key]}
                )
            row[key] = day
        else:
            row[key] = None
    if row.get("category") and row["category"] not in CATEGORY_WORDS:
        problems.append(
            _("Line %(line)s: 公開区分 %(value)s is not one of 公開, 部分公開, 非公開, 請求により判断.")
            % {"line": line, "value": row["category"]}
        )
    if row.get("retention") and row["retention"] not in RETENTION_WORDS:
        problems.append(
            _("Line %(line)s: 保存期間 %(value)s is not one of 1年, 3年, 5年, 10年, 30年, 永年.")
            % {"line": line, "value": row["retention"]}
        )
    for name in _file_names(row):
        if name not in files:
            problems.append(_("Line %(line)s: the file %(name)s was not uploaded.") % {"line": line, "name": name})
            continue
        used.add(name)
        try:
            check_signature(kind_of(name), files[name])
        except UnsupportedFile:
            problems.append(
                _("Line %(line)s: %(name)s is not a PDF, docx, xlsx or text file, or not what its name says.")
                % {"line": line, "name": name}
            )
    return problems


def import_catalogue(*, csv_bytes: bytes, files: dict[str, bytes]) -> list[CatalogueDocument]:
    """Add the CSV's documents and their files to the catalogue: all of them, or none.

    Every row is checked and every file read before anything is written (CatalogueImportError
    lists the problems); then one transaction creates the documents, and files are written to
    storage inside it and removed again if it fails.
    """
    rows = parse(csv_bytes, files)
    written: list[CatalogueFile] = []
    try:
        with transaction.atomic():
            documents = []
            for row in rows:
                values = row.values
                document = CatalogueDocument(
                    file_number=values["file_number"],
                    title=values["title"],
                    department=values["department"],
                    created_on=values["created_on"],
                    decided_on=values.get("decided_on"),
                    retention=RETENTION_WORDS[values["retention"]],
                    category=CATEGORY_WORDS[values["category"]],
                    keywords=values.get("keywords", ""),
                )
                document.refresh_search_fields([extracted.text for _n, _k, _d, extracted in row.files])
                document.save()
                for name, kind, data, extracted in row.files:
                    stored = CatalogueFile(
                        document=document,
                        name=name,
                        kind=kind,
                        size=len(data),
                        text=extracted.text,
                        pages=extracted.pages,
                        pages_without_text=extracted.pages_without_text,
                        extraction_error=extracted.error,
                    )
                    stored.file.save(name, ContentFile(data), save=False)
                    written.append(stored)
                    stored.save()
                documents.append(document)
    except Exception:
        for stored in written:
            stored.file.delete(save=False)
        raise
    return documents
