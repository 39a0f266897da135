"""Issue 14, point 7: the public archive at /disclosure/archive/ — search by Japanese words, filters,
paging, highlighted snippets, the Atom feed — and the requester's identity nowhere on it."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from disclosure.archive import services
from disclosure.models import Status
from tests.disclosure.archive.conftest import IDENTITY
from tests.disclosure.factories import ReleasedFileFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
INDEX = "/disclosure/archive/"


def titles(client, **params) -> list[str]:
    """The titles of the results as listed (in order), without the highlighting."""
    response = client.get(INDEX, params)
    assert response.status_code == 200
    page = response.context["results"]
    return [result.request.public_title for result in page]


@pytest.fixture
def archive(make_decided, publish):
    """Three published requests (oldest publication first) and one decided but not published."""
    road = publish(
        make_decided(Status.PARTIAL, decided_on=datetime.date(2026, 7, 10)),
        title="町道改良工事の設計書",
        text="令和7年度 町道改良工事の設計書と工事の積算資料",
    )
    garbage = publish(
        make_decided(Status.DISCLOSED, decided_on=datetime.date(2026, 2, 3)),  # FY2025
        title="ゴミ収集委託契約書",
        text="家庭ごみ収集運搬業務の委託契約書（ＰＤＦ）",
    )
    child = publish(
        make_decided(Status.NONEXISTENT, decided_on=datetime.date(2026, 5, 20)),
        title="子育て支援センターの利用者数",
        text="子育て支援センターの月別利用者数の集計",
    )
    hidden = make_decided(Status.DISCLOSED)
    hidden.public_title = "非公開のままの請求"
    hidden.save()
    return road, garbage, child, hidden


def test_the_archive_lists_published_requests_newest_first(client, archive):
    assert titles(client) == ["子育て支援センターの利用者数", "ゴミ収集委託契約書", "町道改良工事の設計書"]
    html = client.get(INDEX).content.decode()
    assert "非公開のままの請求" not in html
    assert "公開済みの請求が3件見つかりました。" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("支援セン", ["子育て支援センターの利用者数"]),  # part of a word, no spaces
        ("工事設計", []),  # not a substring: words are not guessed
        ("改良工事", ["町道改良工事の設計書"]),
        ("ごみ", ["ゴミ収集委託契約書"]),  # hiragana finds katakana
        ("ｺﾞﾐ", ["ゴミ収集委託契約書"]),  # half-width katakana
        ("ゴミ", ["ゴミ収集委託契約書"]),
        ("pdf", ["ゴミ収集委託契約書"]),  # full-width ＰＤＦ in the text
        ("ＳＥＣＴＩＯＮ", []),
        ("設計書　積算", ["町道改良工事の設計書"]),  # a full-width space separates words, all must occur
        ("設計書 ごみ", []),
        ("R2026", ["子育て支援センターの利用者数", "ゴミ収集委託契約書", "町道改良工事の設計書"]),  # receipt number
        ("建設課", ["子育て支援センターの利用者数", "ゴミ収集委託契約書", "町道改良工事の設計書"]),  # department
    ],
)
def test_search_finds_japanese_words_in_any_width_and_kana(client, archive, query, expected):
    assert titles(client, q=query) == expected


def test_the_requester_is_not_searchable(client, archive):
    for value in (*IDENTITY.values(), "山田花子", "山田"):
        assert titles(client, q=value) == [], value


def test_matches_are_highlighted_in_the_title_and_the_snippet(client, archive):
    html = client.get(INDEX, {"q": "ｺﾞﾐ"}).content.decode()
    assert "<mark>ゴミ</mark>収集委託契約書" in html
    assert "家庭<mark>ごみ</mark>収集運搬業務" in html


def test_filters_by_decision_and_fiscal_year_with_counts(client, archive):
    assert titles(client, decision="disclosed") == ["ゴミ収集委託契約書"]
    assert titles(client, year=2026) == ["子育て支援センターの利用者数", "町道改良工事の設計書"]
    assert titles(client, year=2025) == ["ゴミ収集委託契約書"]
    assert titles(client, year=2026, decision="partial") == ["町道改良工事の設計書"]
    assert titles(client, decision="nonsense") == titles(client)  # ignored, not an error
    html = client.get(INDEX).content.decode()
    assert "全部開示 (1)" in html and "部分開示 (1)" in html and "不存在 (1)" in html
    assert "2026年度 (2)" in html and "2025年度 (1)" in html


def test_a_request_carried_out_is_filed_under_its_decision(client, make_decided, publish):
    publish(make_decided(Status.IMPLEMENTED, decision=Status.DISCLOSED), title="実施済みの請求")
    assert titles(client, decision="disclosed") == ["実施済みの請求"]
    assert "全部開示" in client.get(INDEX).content.decode()


def test_the_list_pages_by_twenty(client, make_decided, publish):
    for n in range(23):
        publish(make_decided(), title=f"防災訓練の記録 第{n + 1}回", text="避難所の開設訓練")
    html = client.get(INDEX, {"q": "避難所"}).content.decode()
    assert html.count('class="search-result"') == 20
    assert "防災訓練の記録 第23回" in html and "防災訓練の記録 第3回<" not in html
    assert 'href="?q=%E9%81%BF%E9%9B%A3%E6%89%80&amp;page=2"' in html
    second = client.get(INDEX, {"q": "避難所", "page": 2}).content.decode()
    assert second.count('class="search-result"') == 3 and "防災訓練の記録 第1回<" in second


def test_the_atom_feed_lists_newly_published_requests(client, archive):
    response = client.get(reverse("disclosure_archive:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text.split(" ", 1)[1] for e in entries] == [
        "子育て支援センターの利用者数",
        "ゴミ収集委託契約書",
        "町道改良工事の設計書",
    ]
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/disclosure/archive/{archive[2].pk}/")
    searched = ET.fromstring(client.get(reverse("disclosure_archive:feed"), {"q": "ごみ"}).content)  # noqa: S314
    assert len(searched.findall(f"{ATOM}entry")) == 1
    assert f'href="{reverse("disclosure_archive:feed")}"' in client.get(INDEX).content.decode()


def test_a_published_request_page_shows_the_decision_and_the_documents_but_no_letter(client, decided, publish):
    document = ReleasedFileFactory(request=decided, name="設計書_部分開示.pdf", redacted=True)
    letter = ReleasedFileFactory(request=decided, kind="letter", name="決定通知書.pdf")
    publish(decided)
    html = client.get(reverse("disclosure_archive:detail", args=[decided.pk])).content.decode()
    shown_facts = ("町道改良工事の設計書", decided.number, "部分開示", "条例第7条第2号", "2026年7月10日", "建設課")
    for shown in shown_facts:
        assert shown in html, shown
    assert reverse("disclosure_release:download", args=[document.pk, document.name]) in html
    assert letter.name not in html and reverse("disclosure_release:download", args=[letter.pk, letter.name]) not in html


def test_the_requester_identity_appears_nowhere_in_the_archive(client, decided, publish):
    publish(decided)
    pages = [
        client.get(INDEX).content.decode(),
        client.get(INDEX, {"q": "設計書"}).content.decode(),
        client.get(reverse("disclosure_archive:detail", args=[decided.pk])).content.decode(),
        client.get(reverse("disclosure_archive:feed")).content.decode(),
        client.get("/disclosure/", {"q": "設計書"}).content.decode(),
    ]
    assert decided.public_title in pages[2]
    for html in pages:
        for value in (*IDENTITY.values(), "山田花子", decided.document):
            assert value not in html


@pytest.mark.parametrize("state", ["never published", "unpublished", "open"])
def test_a_request_that_is_not_published_is_404(client, decided, clerk, publish, disclosure_request, state):
    request = decided
    if state == "unpublished":
        publish(decided)
        services.unpublish(request=decided, by=clerk, reason="誤り")
    elif state == "open":
        request = disclosure_request
    assert client.get(reverse("disclosure_archive:detail", args=[request.pk])).status_code == 404
    client.force_login(UserFactory(is_staff=True, is_superuser=True))  # the public page is no back door for staff
    assert client.get(reverse("disclosure_archive:detail", args=[request.pk])).status_code == 404


def test_the_catalogue_links_the_archive_and_counts_its_matches(client, archive):
    html = client.get("/disclosure/").content.decode()
    assert f'href="{INDEX}"' in html
    html = client.get("/disclosure/", {"q": "ごみ"}).content.decode()
    assert "公開済みの請求 1件" in html
    assert f'href="{INDEX}?q=%E3%81%94%E3%81%BF"' in html


def test_the_request_form_says_up_front_that_the_requester_is_never_published(client, decided, publish):
    resident = UserFactory()
    client.force_login(resident)
    html = client.get(reverse("portal:disclosure_new")).content.decode()
    assert "あなたの氏名・住所・メールアドレス・電話番号は公開しません" in html
    assert f'action="{INDEX}"' in html and "公開済みの請求を検索" in html


def test_the_requester_page_says_whether_the_request_is_published(client, decided, publish):
    decided.user = UserFactory()
    decided.save()
    client.force_login(decided.user)
    url = reverse("portal:disclosure_request", args=[decided.pk])
    assert "町がこの請求と開示した文書を公開することがあります" in client.get(url).content.decode()
    publish(decided)
    html = client.get(url).content.decode()
    assert "公開アーカイブに掲載されています" in html
    assert reverse("disclosure_archive:detail", args=[decided.pk]) in html
    assert "公開アーカイブに掲載" in html  # the history line


def test_the_archive_pages_are_valid_html(client, decided, publish, tmp_path):
    from tests.test_html_valid import vnu_errors

    ReleasedFileFactory(request=decided)
    publish(decided)
    urls = [INDEX, f"{INDEX}?q=設計書", reverse("disclosure_archive:detail", args=[decided.pk])]
    pages = {url: client.get(url).content.decode() for url in urls}
    client.force_login(UserFactory())
    pages["new"] = client.get(reverse("portal:disclosure_new")).content.decode()
    assert vnu_errors(pages, tmp_path) == []


def test_the_list_costs_the_same_queries_for_three_requests_as_for_twenty(
    client, make_decided, publish, django_assert_max_num_queries
):
    for n in range(3):
        publish(make_decided(), title=f"議事録 {n}")
    with django_assert_max_num_queries(12) as few:
        client.get(INDEX, {"q": "議事録"})
    for n in range(17):
        publish(make_decided(), title=f"議事録 {n + 3}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(INDEX, {"q": "議事録"})
