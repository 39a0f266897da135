"""The renewal import on a generated old town site: table layouts, Shift_JIS/EUC-JP, chrome, files."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model

from cms.demo import publish
from cms.importers import clean_title, decode_legacy
from cms.models import IndexPage, StandardPage
from tests.cms.legacy_corpus import HOST, SITE, build_corpus, page_text_ok

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def section(home):
    return publish(home, IndexPage(title="旧サイト", slug="old"))


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "site"
    return folder, build_corpus(folder)


def run_import(folder, parent):
    out, err = StringIO(), StringIO()
    call_command(
        "import_legacy_pages", str(folder), "--parent", str(parent.pk), "--legacy-host", HOST, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def page_of(legacy_path):
    redirect = Redirect.objects.get(old_path=Redirect.normalise_path(legacy_path))
    return redirect.redirect_page.specific


def body_text(page):
    return "\n".join(str(block["value"]) for block in page.body.raw_data)


def test_every_corpus_page_keeps_its_own_text_and_title_without_the_site_chrome(client, section, corpus):
    folder, pages = corpus
    out, err = run_import(folder, section)
    assert "created 31, updated 0, skipped 0" in out

    wrong = {}
    for legacy in (p for p in pages if not p.truncated):
        page = page_of(legacy.url)
        ok, problems = page_text_ok(body_text(page), legacy)
        if page.title != legacy.title:
            problems.append(f"title {page.title!r}")
        if not ok or problems:
            wrong[legacy.path] = problems
    assert wrong == {}

    juminhyo = page_of("/kurashi/juminhyo.html")
    html = client.get(juminhyo.url).content.decode()
    assert "担当は髙橋と山﨑です。" in html and "８：３０～１７：１５" in html
    assert SITE not in html.split("<title>")[1].split("</title>")[0]


def test_truncated_shift_jis_file_is_reported_and_not_published(client, section, corpus):
    folder, _ = corpus
    out, err = run_import(folder, section)
    assert "/oshirase/kouji.html: 1 damaged byte(s) in cp932 replaced" in err
    assert "/oshirase/kouji.html: saved as a draft" in err
    page = page_of("/oshirase/kouji.html")
    assert page.live is False
    assert client.get("/oshirase/kouji.html", follow=True).status_code == 404


def test_links_between_old_pages_and_to_files_point_at_the_new_site(client, section, corpus):
    folder, _ = corpus
    run_import(folder, section)
    juminhyo, inkan = page_of("/kurashi/juminhyo.html"), page_of("/kurashi/inkan.html")
    bousai, juminzei = page_of("/bousai/index.html"), page_of("/zei/juminzei.html")
    raw = body_text(juminhyo)
    assert f'<a linktype="page" id="{inkan.pk}">' in raw, "relative link"
    assert f'<a linktype="page" id="{bousai.pk}">' in raw, "folder link ../bousai/"
    assert f'<a linktype="page" id="{juminzei.pk}">' in raw, "absolute link to the old site's own host"
    assert '<a href="/cgi-bin/event.cgi?id=3">' in raw, "other URLs of the old host become site paths"

    documents = {d.title: d for d in get_document_model().objects.all()}
    assert set(documents) == {"shinseisho.pdf", "itaijo.docx", "hazardmap.pdf", "hinanjo.xlsx"}
    assert f'<a linktype="document" id="{documents["shinseisho.pdf"].pk}">' in raw

    html = client.get(juminhyo.url).content.decode()
    for target in (inkan.url, bousai.url, juminzei.url, documents["shinseisho.pdf"].url):
        assert f'href="{target}"' in html
    assert client.get(documents["shinseisho.pdf"].url).status_code == 200
    old_pdf = client.get("/kurashi/files/shinseisho.pdf")
    assert old_pdf.status_code == 301 and old_pdf["Location"] == documents["shinseisho.pdf"].url

    bousai_html = client.get(bousai.url).content.decode()
    assert "/img/map" not in bousai_html and 'href="/media/' in bousai_html, "linked image imported"


def test_folder_urls_redirect_like_their_index_html(client, section, corpus):
    folder, _ = corpus
    run_import(folder, section)
    bousai = page_of("/bousai/index.html")
    for old in ("/bousai/", "/bousai", "/bousai/index.html"):
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == bousai.url, old


@pytest.mark.parametrize(
    ("declaration", "codec"),
    [
        ('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', "cp932"),
        ('<meta charset="x-sjis">', "cp932"),
        ("", "cp932"),
    ],
)
def test_shift_jis_pages_are_read_as_cp932(declaration, codec):
    text = "受付は８：３０～１７：１５、電話０１２３－４５、①本人確認書類、担当は髙橋と山﨑です。"
    decoded = decode_legacy((declaration + f"<p>{text}</p>").encode("cp932"))
    assert text in decoded.text and decoded.encoding == codec and decoded.warnings == []


def test_euc_jp_is_found_from_the_xml_declaration_or_detected_not_taken_for_korean():
    text = "町民税の納期は六月と八月と十月と翌年一月です。"
    declared = decode_legacy(f'<?xml version="1.0" encoding="EUC-JP"?><p>{text}</p>'.encode("euc_jp"))
    undeclared = decode_legacy(f"<p>{text}</p>".encode("euc_jp"))
    assert text in declared.text and text in undeclared.text
    assert undeclared.encoding == "euc_jp" and undeclared.warnings == []


def test_page_saved_as_utf8_but_declaring_shift_jis_is_read_and_reported():
    decoded = decode_legacy('<meta charset="Shift_JIS"><p>髙橋</p>'.encode())
    assert "髙橋" in decoded.text and decoded.warnings == ["declares shift_jis but is UTF-8"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("住民票の写しの請求｜みどり町ホームページ", "住民票の写しの請求"),
        ("住民票の写しの請求 | みどり町", "住民票の写しの請求"),
        ("住民票の写しの請求 - みどり町公式ホームページ", "住民票の写しの請求"),
        ("住民票の写しの請求", "住民票の写しの請求"),
    ],
)
def test_titles_lose_the_site_name(title, expected):
    assert clean_title(title) == expected


def test_reimport_leaves_a_page_an_editor_changed_and_says_so(section, corpus, django_user_model):
    folder, _ = corpus
    run_import(folder, section)
    editor = django_user_model.objects.create_user("kouhou", password="x")
    page = page_of("/kurashi/inkan.html")
    page.title = "印鑑登録（窓口の案内）"
    page.save_revision(user=editor).publish()

    target = folder / "kurashi" / "inkan.html"
    target.write_bytes(target.read_bytes().replace("本人が来庁".encode("cp932"), "代理人が来庁".encode("cp932")))
    out, err = run_import(folder, section)
    assert "created 0, updated 0, skipped 31" in out
    assert "/kurashi/inkan.html: '印鑑登録（窓口の案内）' was changed by an editor since the last import" in err
    page = StandardPage.objects.get(pk=page.pk)
    assert page.title == "印鑑登録（窓口の案内）" and "代理人" not in body_text(page)


def test_euc_jp_page_with_windows_circled_numbers_is_read_without_damage():
    # cp51932 (EUC-JP written on Windows) puts ① at NEC row 13, which plain euc_jp lacks
    raw = b'<meta charset="EUC-JP"><p>' + "持ち物".encode("euc_jp") + b"\xad\xa1" + "印鑑".encode("euc_jp")
    decoded = decode_legacy(raw + b"</p>")
    assert "持ち物①印鑑" in decoded.text and decoded.warnings == []
