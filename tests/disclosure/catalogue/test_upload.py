"""Issue 14, point 1: catalogue documents, their text extracted from every page, and the bulk upload."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from disclosure.catalogue.bulk import import_catalogue
from disclosure.catalogue.errors import CatalogueImportError
from disclosure.catalogue.extract import extract
from disclosure.catalogue.models import CatalogueDocument, CatalogueFile, Category
from portal.staff import DISCLOSURE, WEB
from tests.disclosure.catalogue.files import docx, pdf, xlsx
from tests.portal.test_staff_groups import mfa_staff

pytestmark = pytest.mark.django_db

HEADER = "文書番号,件名,担当課,作成日,決裁日,保存期間,公開区分,キーワード,ファイル\n"


def test_pdf_text_comes_from_every_page_and_scanned_pages_are_counted():
    pages = [f"第{n}頁 道路占用許可の審査" for n in range(1, 40)] + [None, "最終頁：橋梁長寿命化修繕計画"]
    found = extract("pdf", pdf(pages))
    assert found.pages == 41 and found.pages_without_text == 1
    assert "第1頁" in found.text and "橋梁長寿命化修繕計画" in found.text  # the last page too


def test_docx_paragraphs_and_tables_and_every_xlsx_sheet_are_read():
    found = extract("docx", docx(["令和6年度 防災訓練実施要領"], table=[["会場", "中央公民館"], ["参加者", "120名"]]))
    assert "防災訓練実施要領" in found.text and "中央公民館" in found.text and "120名" in found.text
    book = xlsx({"歳入": [["町税", 1200000]], "歳出": [["民生費", 980000], [None, "扶助費の内訳"]]})
    found = extract("xlsx", book)
    assert found.pages == 2
    assert "町税 1200000" in found.text and "扶助費の内訳" in found.text and "歳出" in found.text


def test_a_large_text_file_is_not_cut():
    data = ("あ" * 1000 + "\n").encode("utf-8") * 1500 + "末尾の語句：庁舎建替基本構想".encode()
    assert len(data) > 4_000_000
    assert extract("txt", data).text.endswith("庁舎建替基本構想")
    assert "公文書" in extract("txt", "公文書の管理".encode("cp932")).text


def _csv(rows: str, encoding="utf-8") -> bytes:
    return (HEADER + rows).encode(encoding)


def test_bulk_upload_with_a_cp932_csv_and_a_zip_with_japanese_names(client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("議事録.pdf", pdf(["第1回 子育て支援会議 議事録", "ベビーカーの貸出について"]))
        z.writestr("scan/予算書.pdf", pdf([None, None]))
        z.writestr("集計.xlsx", xlsx({"集計": [["保育所入所申込", 48]]}))
    rows = (
        "子第12号,子育て支援会議 議事録,子育て支援課,2024/4/10,2024/4/20,5年,公開,会議;子育て,議事録.pdf\n"
        "財第3号,当初予算書,財政課,2025-03-01,,10年,部分公開,,予算書.pdf|集計.xlsx\n"
    )
    documents = import_catalogue(csv_bytes=_csv(rows, "cp932"), files=_unzip(archive.getvalue()))

    assert [d.file_number for d in documents] == ["子第12号", "財第3号"]
    first = CatalogueDocument.objects.get(file_number="子第12号")
    assert first.fiscal_year == 2024 and first.category == Category.PUBLIC and first.keywords == "会議;子育て"
    assert "ベビーカー" in first.text
    second = CatalogueDocument.objects.get(file_number="財第3号")
    assert second.fiscal_year == 2024  # March 2025 is in fiscal year 2024
    scan = second.files.get(name="予算書.pdf")
    assert scan.needs_ocr and scan.pages_without_text == 2 and scan.text == ""
    assert "保育所入所申込" in second.text


def _unzip(data: bytes) -> dict[str, bytes]:
    from disclosure.catalogue.bulk import files_from_zip

    return files_from_zip(data)


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_saved(stored_files):
    before = stored_files()
    rows = (
        "総第1号,正しい行,総務課,2024-04-01,,5年,公開,,ok.pdf\n"
        ",番号のない行,総務課,2024-04-01,,5年,公開,,\n"
        "総第1号,番号が重複,総務課,2024-13-01,,7年,秘密,,\n"
        "総第4号,ファイルがない,総務課,2024-04-01,,5年,公開,,missing.pdf\n"
        "総第5号,偽のPDF,総務課,2024-04-01,,5年,公開,,fake.pdf\n"
    )
    files = {"ok.pdf": pdf(["正しい"]), "fake.pdf": b"MZ\x90\x00 not a pdf", "extra.docx": docx(["余分"])}
    with pytest.raises(CatalogueImportError) as raised:
        import_catalogue(csv_bytes=_csv(rows), files=files)
    problems = "\n".join(raised.value.problems)
    assert "3行目: 文書番号が空です。" in problems
    assert "4行目: 文書番号 総第1号 は2行目にもあります。" in problems
    assert "4行目: 作成日 2024-13-01 は日付" in problems
    assert "4行目: 保存期間 7年" in problems and "4行目: 公開区分 秘密" in problems
    assert "5行目: ファイル missing.pdf がアップロードされていません。" in problems
    assert "6行目: fake.pdf は" in problems
    assert "extra.docx" in problems
    assert CatalogueDocument.objects.count() == 0 and CatalogueFile.objects.count() == 0
    assert stored_files() == before


def test_an_existing_file_number_refuses_the_whole_upload(make_document):
    make_document("既存の文書", file_number="総第9号")
    with pytest.raises(CatalogueImportError) as raised:
        import_catalogue(
            csv_bytes=_csv(
                "総第10号,新しい,総務課,2024-04-01,,1年,公開,,\n総第9号,重複,総務課,2024-04-01,,1年,公開,,\n"
            ),
            files={},
        )
    assert raised.value.problems == ["3行目: 文書番号 総第9号 はすでに目録にあります。"]
    assert not CatalogueDocument.objects.filter(file_number="総第10号").exists()


def test_a_csv_that_is_not_japanese_text_or_lacks_columns_is_refused():
    with pytest.raises(CatalogueImportError) as raised:
        import_catalogue(csv_bytes=b"\xff\xfe\x00\x81\xff", files={})
    assert "UTF-8" in raised.value.problems[0]
    with pytest.raises(CatalogueImportError) as raised:
        import_catalogue(csv_bytes="件名,担当課\nA,B\n".encode(), files={})
    assert raised.value.problems[0].startswith("1行目:") and "文書番号" in raised.value.problems[0]


def test_the_management_command_imports_a_folder(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "要綱.docx").write_bytes(docx(["空き家対策補助金交付要綱"]))
    row = "建第7号,空き家対策補助金交付要綱,建設課,2023-06-01,,永年,公開,,要綱.docx\n"
    (tmp_path / "list.csv").write_bytes(_csv(row))
    out = io.StringIO()
    call_command("import_catalogue", str(tmp_path / "list.csv"), files=str(tmp_path / "files"), stdout=out)
    assert "1 documents added" in out.getvalue()
    assert "空き家対策補助金" in CatalogueDocument.objects.get(file_number="建第7号").text
    (tmp_path / "bad.csv").write_bytes(_csv("建第8号,,建設課,2023-06-01,,永年,公開,,\n"))
    with pytest.raises(CommandError, match="2行目: 件名が空です。"):
        call_command("import_catalogue", str(tmp_path / "bad.csv"))


def test_staff_upload_page_shows_problems_and_the_list_flags_ocr(client):
    mfa_staff(client, DISCLOSURE)
    assert "/admin/disclosure/catalogue/" in client.get("/admin/").content.decode()  # in the menu
    bad = io.BytesIO(_csv("総第1号,,総務課,2024-04-01,,5年,公開,,\n"))
    bad.name = "list.csv"
    page = client.post("/admin/disclosure/catalogue/upload/", {"csv": bad})
    assert page.status_code == 200 and "2行目: 件名が空です。" in page.content.decode()
    assert CatalogueDocument.objects.count() == 0

    good = io.BytesIO(_csv("総第2号,スキャンした決裁文書,総務課,2024-04-01,,5年,非公開,,scan.pdf\n", "cp932"))
    good.name = "list.csv"
    scan = io.BytesIO(pdf([None]))
    scan.name = "scan.pdf"
    response = client.post("/admin/disclosure/catalogue/upload/", {"csv": good, "files": [scan]})
    assert response.status_code == 302
    good = io.BytesIO(_csv("総第3号,文字のある文書,総務課,2024-04-01,,5年,公開,,\n"))
    good.name = "list.csv"
    assert client.post("/admin/disclosure/catalogue/upload/", {"csv": good}).status_code == 302
    listing = client.get("/admin/disclosure/catalogue/").content.decode()
    assert "スキャンした決裁文書" in listing and "OCR未処理" in listing and "文字のある文書" in listing
    flagged = client.get("/admin/disclosure/catalogue/", {"ocr": "1"}).content.decode()
    assert "OCR未処理または読み取れないファイルのある文書：1件" in listing
    assert "スキャンした決裁文書" in flagged and "文字のある文書" not in flagged


def test_other_staff_cannot_open_the_catalogue_pages(client):
    mfa_staff(client, WEB)
    assert client.get("/admin/disclosure/catalogue/upload/").status_code in (302, 403)
    assert client.get("/admin/disclosure/catalogue/").status_code in (302, 403)
    assert "/admin/disclosure/catalogue/" not in client.get("/admin/").content.decode()


def test_staff_change_a_category_and_the_text_stops_being_searchable(client, make_document):
    from disclosure.catalogue.search import Filters, search

    document = make_document("下水道使用料の見直し", text="使用料改定の試算", file_number="上第1号")
    assert search("改定の試算", Filters())[0].paginator.count == 1
    mfa_staff(client, DISCLOSURE)
    page = client.get(f"/admin/disclosure/catalogue/{document.pk}/")
    assert page.status_code == 200 and "下水道使用料の見直し" in page.content.decode()
    data = {
        "file_number": "上第1号",
        "title": "下水道使用料の見直し",
        "department": "上下水道課",
        "created_on": "2024-05-01",
        "decided_on": "",
        "retention": "5",
        "category": Category.CLOSED,
        "keywords": "",
    }
    assert client.post(f"/admin/disclosure/catalogue/{document.pk}/", data).status_code == 302
    document.refresh_from_db()
    assert document.category == Category.CLOSED and document.department == "上下水道課"
    assert search("改定の試算", Filters())[0].paginator.count == 0  # its text is no longer public
    assert search("下水道使用料", Filters())[0].paginator.count == 1  # its entry still is
