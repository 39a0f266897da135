"""The redaction tool's PDF work (PyMuPDF): bytes in, bytes out, no database.

Redaction *removes* what lies under each box, it does not draw over it:

- text whose characters overlap a box is deleted from the page's content (so no extractor finds it);
- the pixels of every image under a box are blanked (``PDF_REDACT_IMAGE_PIXELS``), and vector
  graphics entirely covered by a box are removed;
- a page that is only an image (a scan) and has a box is then rasterised whole from the
  redacted page, so no image of the original survives there, whatever its encoding;
- each box is filled black with its short reason printed in it;
- the whole file is scrubbed: metadata (Info and XMP), annotations and form fields, links,
  JavaScript, embedded and attached files, thumbnails, hidden (invisible) text; then saved as a
  new file (no earlier revision survives) with unused objects removed (``garbage=4``) and streams
  compressed.

Previews are PNG renderings of a page. The preview of a redacted file is rendered from the
redacted output itself, never from the original with boxes drawn on it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import pymupdf

#: Resolution of a scanned page rasterised after redaction.
RASTER_DPI = 200
#: Resolution of the staff's page previews.
PREVIEW_DPI = 96
FILL = (0, 0, 0)
TEXT_COLOUR = (1, 1, 1)


class BadFile(ValueError):
    """The bytes are not a file the tool can take. ``code`` says why (``not_pdf``, ``encrypted``, ``broken`` …)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Box:
    """A rectangle to redact: ``page`` counts from 1, coordinates in PDF points from the top left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    label: str = ""

    @property
    def rect(self) -> pymupdf.Rect:
        return pymupdf.Rect(self.x0, self.y0, self.x1, self.y1)


# --- What a file is, by its bytes ----------------------------------------------------------
def sniff(data: bytes) -> str:
    """``pdf``, ``docx`` or ``xlsx`` judged by the bytes (never the name); BadFile otherwise."""
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "docx"
                if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                    return "xlsx"
        except (zipfile.BadZipFile, ValueError) as error:
            raise BadFile("broken") from error
    raise BadFile("unsupported")


def open_pdf(data: bytes) -> pymupdf.Document:
    """The PDF opened for work; BadFile when it is no PDF, is broken, encrypted or has no page."""
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise BadFile("not_pdf")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as error:  # PyMuPDF raises its own and plain RuntimeErrors for broken files
        raise BadFile("broken") from error
    if doc.needs_pass or doc.is_encrypted:
        doc.close()
        raise BadFile("encrypted")
    if doc.page_count < 1:
        doc.close()
        raise BadFile("broken")
    try:
        for page in doc:  # a broken content stream shows up when the page is read
            page.get_text("text")
    except Exception as error:
        doc.close()
        raise BadFile("broken") from error
    return doc


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """Width and height in points of each page, unrotated (the coordinates boxes are given in)."""
    with open_pdf(data) as doc:
        return [(page.cropbox.width, page.cropbox.height) for page in doc]


# --- Boxes -----------------------------------------------------------------------------------
def find_phrase(data: bytes, phrase: str) -> list[Box]:
    """A box around every occurrence of ``phrase`` on every page (as PyMuPDF's text search finds it)."""
    phrase = phrase.strip()
    if not phrase:
        return []
    boxes = []
    with open_pdf(data) as doc:
        for number, page in enumerate(doc, start=1):
            for quad in page.search_for(phrase, quads=True):
                rect = quad.rect
                boxes.append(Box(number, rect.x0, rect.y0, rect.x1, rect.y1))
    return boxes


def _image_only(page: pymupdf.Page) -> bool:
    """A scan: images and no visible text."""
    return bool(page.get_images(full=True)) and not page.get_text("text").strip()


def _label_size(rect: pymupdf.Rect) -> float:
    return max(4.0, min(9.0, rect.height * 0.6))


def redact(data: bytes, boxes: Iterable[Box]) -> bytes:
    """The redacted file: see the module docstring for what is removed."""
    by_page: dict[int, list[Box]] = {}
    for box in boxes:
        by_page.setdefault(box.page, []).append(box)
    doc = open_pdf(data)
    try:
        for page in doc:
            # Comments, stamps and form fields are not part of what was reviewed: none is released.
            for widget in list(page.widgets()):
                page.delete_widget(widget)
            for annot in list(page.annots()):
                page.delete_annot(annot)
        scanned = set()
        for number, page_boxes in by_page.items():
            page = doc[number - 1]
            if _image_only(page):
                scanned.add(number - 1)
            for box in page_boxes:
                rect = box.rect  # clipped to the page when the box was added
                page.add_redact_annot(
                    rect,
                    text=box.label or None,
                    fontname="japan",
                    fontsize=_label_size(rect),
                    fill=FILL,
                    text_color=TEXT_COLOUR,
                    cross_out=False,
                )
            page.apply_redactions(
                images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                text=pymupdf.PDF_REDACT_TEXT_REMOVE,
            )
        for index in sorted(scanned):
            _rasterise(doc, index)
        doc.scrub(
            attached_files=True,
            clean_pages=True,
            embedded_files=True,
            hidden_text=True,
            javascript=True,
            metadata=True,
            redactions=True,
            remove_links=True,
            reset_fields=True,
            reset_responses=True,
            thumbnails=True,
            xml_metadata=True,
        )
        doc.set_metadata({})
        doc.del_xml_metadata()
        return doc.tobytes(garbage=4, deflate=True, deflate_images=True, deflate_fonts=True, clean=True)
    finally:
        doc.close()


def _rasterise(doc: pymupdf.Document, index: int) -> None:
    """Replace a redacted scanned page by one image rendered from it: the original image is gone."""
    page = doc[index]
    rect = page.rect
    pixmap = page.get_pixmap(dpi=RASTER_DPI, annots=False)
    doc.delete_page(index)
    fresh = doc.new_page(pno=index, width=rect.width, height=rect.height)
    fresh.insert_image(fresh.rect, pixmap=pixmap)


def find_remaining(data: bytes, phrases: Iterable[str]) -> list[str]:
    """The phrases still found in the file's text (a check after redacting by phrase)."""
    with open_pdf(data) as doc:
        text = "".join(page.get_text("text") for page in doc)
    squeezed = "".join(text.split())
    return [phrase for phrase in phrases if phrase and "".join(phrase.split()) in squeezed]


# --- Previews --------------------------------------------------------------------------------
def render_page(data: bytes, page: int, *, boxes: Iterable[Box] = (), dpi: int = PREVIEW_DPI) -> bytes:
    """A PNG of page ``page`` (from 1); ``boxes`` are outlined in red (the draft's preview only)."""
    with open_pdf(data) as doc:
        if not 1 <= page <= doc.page_count:
            raise BadFile("no_page")
        target = doc[page - 1]
        for box in boxes:
            if box.page == page:
                target.draw_rect(box.rect, color=(0.85, 0, 0), fill=(1, 0.85, 0.85), fill_opacity=0.5, width=1.5)
        return target.get_pixmap(dpi=dpi, annots=False).tobytes("png")
