"""PDFs made for the release tests with PyMuPDF: Japanese text (its built-in CJK font) and images."""

from __future__ import annotations

import pymupdf

NAME = "山田花子"
KEPT = "公開してよい文章です"
#: Where the red image sits on page 1 of :func:`text_and_image`, and its size in pixels.
IMAGE_RECT = pymupdf.Rect(72, 200, 272, 400)
IMAGE_PIXELS = 100
RED = (200, 30, 30)


def _red_image(size: int = IMAGE_PIXELS) -> pymupdf.Pixmap:
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, size, size), False)
    pixmap.set_rect(pixmap.irect, RED)
    return pixmap


def text_and_image(*, metadata: bool = True) -> bytes:
    """Two A4 pages: the name on both, a sentence to keep, a red 100×100 px image on page 1."""
    doc = pymupdf.open()
    first = doc.new_page(width=595, height=842)
    first.insert_text((72, 100), f"申請者 {NAME} の住所", fontname="japan", fontsize=14)
    first.insert_text((72, 140), KEPT, fontname="japan", fontsize=14)
    first.insert_image(IMAGE_RECT, pixmap=_red_image())
    first.add_text_annot((300, 100), f"メモ: {NAME}")
    second = doc.new_page(width=595, height=842)
    second.insert_text((72, 100), f"担当 {NAME}", fontname="japan", fontsize=14)
    second.insert_text((72, 140), "二頁目の公開部分", fontname="japan", fontsize=14)
    if metadata:
        doc.set_metadata({"author": NAME, "title": f"{NAME}の申請書"})
    data = doc.tobytes()
    doc.close()
    return data


def scanned() -> bytes:
    """One page that is only an image (a scan): red, with a black band where a name would be."""
    pixmap = _red_image(200)
    pixmap.set_rect(pymupdf.IRect(20, 20, 120, 40), (0, 0, 0))
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=400)
    page.insert_image(page.rect, pixmap=pixmap)
    data = doc.tobytes()
    doc.close()
    return data


def encrypted() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")
    doc.close()
    return data
