"""Redaction removes what lies under each box: text no extractor finds, pixels blanked, scans rasterised."""

from __future__ import annotations

import io

import pymupdf
import pytest
from pdfminer.high_level import extract_text as pdfminer_text
from pypdf import PdfReader

from disclosure.release import redaction
from tests.disclosure.release import pdfs


def pypdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def redacted() -> bytes:
    original = pdfs.text_and_image()
    boxes = redaction.find_phrase(original, pdfs.NAME)
    # A box over the middle of the image (image pixels 14-64 across, 25-50 down: 2 points a pixel).
    return redaction.redact(original, [*boxes, redaction.Box(1, 100, 250, 200, 300)])


def test_the_generated_pdf_really_has_the_words_both_extractors_find():
    original = pdfs.text_and_image()
    assert pdfs.NAME in squeeze(pypdf_text(original))
    assert pdfs.NAME in squeeze(pdfminer_text(io.BytesIO(original)))


def test_redacted_words_are_absent_from_pypdf_and_pdfminer_but_the_rest_remains(redacted):
    for text in (pypdf_text(redacted), pdfminer_text(io.BytesIO(redacted))):
        assert pdfs.NAME not in squeeze(text)
        assert "山田" not in text and "花子" not in text
        assert pdfs.KEPT in squeeze(text)
        assert "二頁目の公開部分" in squeeze(text)
    assert pdfs.NAME.encode("utf-16-be") not in redacted


def test_the_page_rendered_is_the_fill_colour_under_a_box():
    original = pdfs.text_and_image()
    box = redaction.find_phrase(original, pdfs.NAME)[0]
    output = redaction.redact(original, [box])
    with pymupdf.open(stream=output) as doc:
        inner = pymupdf.Rect(box.x0 + 1, box.y0 + 1, box.x1 - 1, box.y1 - 1)
        pixmap = doc[0].get_pixmap(dpi=72, clip=inner)
    pixels = {pixmap.pixel(x, y) for x in range(pixmap.width) for y in range(pixmap.height)}
    assert pixels == {(0, 0, 0)}


def test_the_embedded_images_pixels_under_the_box_are_blanked(redacted):
    with pymupdf.open(stream=redacted) as doc:
        [info] = doc[0].get_image_info(xrefs=True)
        assert pymupdf.Rect(info["bbox"]) == pdfs.IMAGE_RECT
        image = pymupdf.Pixmap(doc, info["xref"])
    assert (image.width, image.height) == (pdfs.IMAGE_PIXELS, pdfs.IMAGE_PIXELS)
    under = {image.pixel(x, y) for x in range(15, 64) for y in range(26, 50)}
    assert pdfs.RED[:3] not in under and len(under) == 1
    assert image.pixel(5, 5) == pdfs.RED  # outside the box the image is untouched


def test_a_scanned_page_is_blanked_under_the_box_and_keeps_no_original_image():
    original = pdfs.scanned()
    with pymupdf.open(stream=original) as doc:
        [(old_xref, *_rest)] = doc[0].get_images(full=True)
        old = pymupdf.Pixmap(doc, old_xref).samples
    output = redaction.redact(original, [redaction.Box(1, 30, 30, 250, 90)])
    with pymupdf.open(stream=output) as doc:
        page = doc[0]
        assert not page.get_text().strip()
        images = [pymupdf.Pixmap(doc, xref) for xref, *_rest in page.get_images(full=True)]
        assert images and all(image.samples != old for image in images)
        rendered = page.get_pixmap(dpi=72, clip=pymupdf.Rect(32, 32, 248, 88))
    assert {rendered.pixel(x, y) for x in range(rendered.width) for y in range(rendered.height)} == {(0, 0, 0)}
    [image] = images
    scale = image.width / 400
    band = {image.pixel(int(x * scale), int(y * scale)) for x in range(35, 245, 5) for y in range(35, 85, 5)}
    assert band == {(0, 0, 0)}  # the rasterised scan is black under the box in the image itself


def test_metadata_comments_and_hidden_content_are_scrubbed(redacted):
    with pymupdf.open(stream=redacted) as doc:
        assert not any(value for key, value in doc.metadata.items() if key not in ("format", "encryption"))
        assert all(not list(page.annots()) for page in doc)
        assert doc.embfile_count() == 0
        assert not doc.get_xml_metadata()


def test_the_reason_is_printed_in_the_box():
    original = pdfs.text_and_image()
    [box, *_] = redaction.find_phrase(original, pdfs.NAME)
    labelled = redaction.Box(1, box.x0 - 10, box.y0 - 4, box.x1 + 40, box.y1 + 4, label="第7条第2号")
    output = redaction.redact(original, [labelled])
    first_page = PdfReader(io.BytesIO(output)).pages[0].extract_text()
    assert "第7条第2号" in squeeze(first_page)
    assert pdfs.NAME not in squeeze(first_page)


def test_phrase_search_finds_the_words_on_every_page():
    boxes = redaction.find_phrase(pdfs.text_and_image(), pdfs.NAME)
    assert [box.page for box in boxes] == [1, 2]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"MZ\x90\x00 this is a program renamed .pdf", "not_pdf"),
        (b"%PDF-1.7\nnothing else here", "broken"),
        (pdfs.encrypted(), "encrypted"),
    ],
)
def test_files_the_tool_cannot_take_are_refused(data, code):
    with pytest.raises(redaction.BadFile) as refused:
        redaction.open_pdf(data)
    assert refused.value.code == code


def test_the_preview_of_a_result_is_a_png_of_its_page(redacted):
    png = redaction.render_page(redacted, 1)
    assert png.startswith(b"\x89PNG")
    with pytest.raises(redaction.BadFile):
        redaction.render_page(redacted, 3)


def test_form_fields_attached_files_and_earlier_revisions_do_not_carry_the_name_out(tmp_path):
    path = tmp_path / "revised.pdf"
    path.write_bytes(pdfs.text_and_image(metadata=False))
    with pymupdf.open(path) as doc:  # an incremental update: the first revision stays in the file
        widget = pymupdf.Widget()
        widget.field_name, widget.field_type = "氏名", pymupdf.PDF_WIDGET_TYPE_TEXT
        widget.field_value, widget.rect = pdfs.NAME, pymupdf.Rect(300, 300, 450, 330)
        doc[1].add_widget(widget)
        doc.embfile_add("memo.txt", pdfs.NAME.encode())
        doc[0].set_rotation(90)
        doc.saveIncr()
    original = path.read_bytes()
    assert original.count(b"%%EOF") == 2
    output = redaction.redact(original, redaction.find_phrase(original, pdfs.NAME))
    with pymupdf.open(stream=output) as doc:
        assert doc.embfile_count() == 0
        assert not any(list(page.widgets()) for page in doc)
    assert pdfs.NAME not in squeeze(pypdf_text(output))
    assert pdfs.NAME not in squeeze(pdfminer_text(io.BytesIO(output)))
    assert pdfs.KEPT in squeeze(pypdf_text(output))
    assert output.count(b"%%EOF") == 1, "one revision only"
