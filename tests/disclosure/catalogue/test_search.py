"""Issue 14, point 2: the public catalogue search at /disclosure/ — Japanese words, facets,
highlighted snippets, paging, the Atom feed — and what is not public stays unreachable."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile

from disclosure.catalogue.models import CatalogueFile, Category
from disclosure.catalogue.search import Filters, search

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
ATOM = "{http://www.w3.org/2005/Atom}"


def found(query: str, **filters) -> list[str]:
    _page, results, _facets = search(query, Filters(**filters))
    return [r.document.title for r in results]


def test_japanese_words_match_inside_longer_words_and_across_width_and_kana(make_document):
    make_document("子育て支援センター運営要綱", text="ベビーカーの貸出とマイナンバーカードの確認")
    make_document("ごみ処理基本計画", text="粗大ごみの収集日程")
    make_document("町議会定例会 会議録", text="一般質問")

    assert found("支援セン") == ["子育て支援センター運営要綱"]  # part of a word, no spaces in Japanese
    assert found("ｺﾞﾐ") == ["ごみ処理基本計画"]  # half-width katakana
    assert found("ゴミ") == ["ごみ処理基本計画"]  # katakana for hiragana
    assert found("ﾏｲﾅﾝﾊﾞｰ") == ["子育て支援センター運営要綱"]
    assert found("ＢＡＢＹ") == []
    assert found("会議録　一般質問") == ["町議会定例会 会議録"]  # a full-width space separates words
    assert found("会議録 ごみ") == []  # every word must occur


def test_title_hits_rank_first_and_words_are_marked(make_document):
    make_document("道路維持補修の報告", text="舗装の補修箇所", created_on=datetime.date(2020, 4, 1))
    make_document("定例報告", text="道路維持の予算と道路維持の実績", created_on=datetime.date(2024, 4, 1))
    _page, results, _facets = search("道路維持", Filters())
    assert [r.document.title for r in results] == ["道路維持補修の報告", "定例報告"]
    assert str(results[0].title) == "<mark>道路維持</mark>補修の報告"
    assert "<mark>道路維持</mark>の予算" in str(results[1].snippet)


def test_facets_count_departments_years_and_categories_and_filters_narrow(make_document):
    make_document("水道料金の改定", department="上下水道課", created_on=datetime.date(2024, 6, 1))
    make_document("水道管更新計画", department="上下水道課", created_on=datetime.date(2025, 2, 1))  # FY2024
    make_document("水道事業の決算", department="財政課", created_on=datetime.date(2023, 7, 1), category=Category.CLOSED)
    make_document("道路台帳", department="建設課")

    _page, _results, facets = search("水道", Filters())
    assert [(f.value, f.count) for f in facets["department"]] == [("上下水道課", 2), ("財政課", 1)]
    assert [(f.value, f.count) for f in facets["year"]] == [("2024", 2), ("2023", 1)]
    assert {(f.value, f.count) for f in facets["category"]} == {("public", 2), ("closed", 1)}

    assert sorted(found("水道", department="財政課")) == ["水道事業の決算"]
    assert sorted(found("水道", year=2024)) == ["水道料金の改定", "水道管更新計画"]
    _page, _results, facets = search("水道", Filters(department="財政課"))
    # Choosing a department keeps the other departments countable (to switch), narrows the years.
    assert [(f.value, f.count) for f in facets["department"]] == [("上下水道課", 2), ("財政課", 1)]
    assert [(f.value, f.count) for f in facets["year"]] == [("2023", 1)]


def test_the_page_shows_results_facets_and_pages(client, make_document):
    for n in range(25):
        make_document(f"防災訓練の記録 第{n + 1}回", text="避難所の開設訓練")
    html = client.get("/disclosure/", {"q": "ﾎﾞｳｻｲ訓練"}).content.decode()
    assert html.count("防災訓練の記録") == 0  # ﾎﾞｳｻｲ is kana, the titles say 防災: no false friends
    html = client.get("/disclosure/", {"q": "避難所"}).content.decode()
    assert "25件の文書が見つかりました。" in html
    assert html.count('class="search-result"') == 20
    assert "<mark>避難所</mark>" in html
    assert "総務課 (25)" in html and "2024年度 (25)" in html
    assert 'href="?q=%E9%81%BF%E9%9B%A3%E6%89%80&amp;page=2"' in html
    second = client.get("/disclosure/", {"q": "避難所", "page": 2}).content.decode()
    assert second.count('class="search-result"') == 5
    assert 'type="application/atom+xml"' in html


def test_only_public_and_partly_public_files_can_be_downloaded(client, make_document):
    open_doc = make_document("公開の要綱", category=Category.PUBLIC)
    partial = make_document("部分公開の報告書", category=Category.PARTIAL)
    closed = make_document("非公開の人事記録", category=Category.CLOSED, text="個人の評価")
    asked = make_document("請求により判断する契約書", category=Category.ON_REQUEST)
    files = {}
    for document in (open_doc, partial, closed, asked):
        stored = CatalogueFile(document=document, name="本文.txt", kind="txt", size=9, text="本文")
        stored.file.save("本文.txt", ContentFile("本文です".encode()), save=True)
        files[document.pk] = stored

    def download(document):
        stored = files[document.pk]
        return client.get(f"/disclosure/documents/{document.pk}/files/{stored.pk}/本文.txt")

    assert download(open_doc).status_code == 200
    assert b"".join(download(partial).streaming_content).decode() == "本文です"
    assert download(closed).status_code == 404
    assert download(asked).status_code == 404
    # Another document's number with a public file's id is no way round.
    assert client.get(f"/disclosure/documents/{closed.pk}/files/{files[open_doc.pk].pk}/本文.txt").status_code == 404

    page = client.get(f"/disclosure/documents/{closed.pk}/").content.decode()
    assert "非公開の人事記録" in page and "本文.txt" not in page and "公文書開示請求" in page
    # Neither its text: searching for it finds nothing, and no snippet shows it.
    assert found("個人の評価") == []
    assert "本文.txt" in client.get(f"/disclosure/documents/{open_doc.pk}/").content.decode()


def test_feed_of_a_search_is_valid_atom(client, make_document):
    make_document("介護保険事業計画", text="第9期の計画")
    make_document("国民健康保険税の改定", text="税率")
    response = client.get("/disclosure/feed/", {"q": "保険", "department": "総務課"})
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "公開文書：保険 総務課"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for tag in ("title", "id", "updated", "link"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/disclosure/documents/")
    assert client.get("/disclosure/feed/", {"q": "存在しない語"}).status_code == 200


def test_the_demo_catalogue_is_searchable_and_safe_to_load_again(client):
    from disclosure.catalogue.demo import load_catalogue_demo

    assert load_catalogue_demo() == 6
    assert load_catalogue_demo() == 0
    html = client.get("/disclosure/", {"q": "ｼﾝｷﾞｶｲ"}).content.decode()  # no kana match for 審議会: nothing
    assert "0件の文書" in html
    assert "総合計画審議会" in client.get("/disclosure/", {"q": "コミュニティバス"}).content.decode()  # docx text
    assert "財政課 (1)" in client.get("/disclosure/", {"q": "地方交付税"}).content.decode()  # xlsx text
    assert "中間見直し" in client.get("/disclosure/", {"q": "回収率"}).content.decode()  # cp932 text file
