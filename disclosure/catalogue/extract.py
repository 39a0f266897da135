"""Text of catalogue files: every page of a PDF's text layer, every paragraph and table of a Word
file, every cell of every sheet of an Excel file, a whole text file. No size cut: the last page is
as searchable as the first.

A PDF page without a text layer (a scan) gives no text; it is counted in ``pages_without_text`` so
staff see 「OCR未処理」 instead of a document that silently cannot be found. Pure: bytes in, text out.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

#: Extensions accepted for catalogue files and the kind stored.
KINDS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "txt": "txt", "csv": "txt"}


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: int = 0
    pages_without_text: int = 0
    #: Why no text could be read (a broken or encrypted file); empty when all went well.
    error: str = ""


class UnsupportedFile(ValueError):
    """The file is not of a kind the catalogue takes, or is not what its name says."""


def kind_of(name: str) -> str:
    """The stored kind for a file name (``pdf``, ``docx``, ``xlsx``, ``txt``); UnsupportedFile otherwise."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise UnsupportedFile(name)
    return KINDS[extension]


def check_signature(kind: str, data: bytes) -> None:
    """Refuse a file whose contents are not of its kind (a .exe renamed .pdf, a .docx that is no zip)."""
    if kind == "pdf" and not data[:1024].lstrip().startswith(b"%PDF-"):
        raise UnsupportedFile("pdf")
    if kind in ("docx", "xlsx") and not data.startswith(b"PK"):
        raise UnsupportedFile(kind)
    if kind == "txt" and b"\x00" in data[:8192]:
        raise UnsupportedFile("txt")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS/cp932 as Japanese Windows writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932", errors="replace")


def extract_pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        parts, empty = [], 0
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            if text:
                parts.append(text)
            else:
                empty += 1
        return Extracted("\n".join(parts), pages=len(reader.pages), pages_without_text=empty)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, NotImplementedError) as error:
        return Extracted("", error=f"PDF: {error}"[:300])


def extract_docx(data: bytes) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        return Extracted("", error=f"docx: {error}"[:300])
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs)
    return Extracted("\n".join(p for p in parts if p.strip()), pages=1)


def extract_xlsx(data: bytes) -> Extracted:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return Extracted("", error=f"xlsx: {error}"[:300])
    parts = []
    try:
        for sheet in workbook.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value is not None and str(value).strip()]
                if cells:
                    parts.append(" ".join(cells))
        return Extracted("\n".join(parts), pages=len(workbook.worksheets))
    finally:
        workbook.close()


def extract(kind: str, data: bytes) -> Extracted:
    """The text of a file of ``kind`` (see :data:`KINDS`)."""
    if kind == "pdf":
        return extract_pdf(data)
    if kind == "docx":
        return extract_docx(data)
    if kind == "xlsx":
        return extract_xlsx(data)
    return Extracted(decode_text(data), pages=1)
