"""The search box finds Japanese words inside longer text, in the whole page and in documents,
titles first, and never a page a resident may not see."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Locale, PageViewRestriction

from cms.demo import publish
from cms.models import IndexPage, StandardPage
from cms.search import active_locale, search_entries
from cms.search_index import SearchEntry
from tests.browser import PHONE, assert_no_violations

pytest_plugins = ["tests.browser"]  # new_context, home_page, axe_installed
pytestmark = pytest.mark.django_db


@pytest.fixture
def section(home):
    return publish(home, IndexPage(title="子育て・教育", slug="kosodate"))


@pytest.fixture
def site_pages(section):
    pages = {}
    for slug, title, intro in [
        ("center", "子育て支援センター", "親子で遊べる施設です。"),
        ("teate", "児童手当", "中学生までの子育て世帯に支給します。"),
        ("gomi", "ごみの出し方", "分別のルールです。"),
    ]:
        pages[slug] = publish(section, StandardPage(title=title, slug=slug, intro=intro))
    draft = StandardPage(title="子育て下書き", slug="draft", live=False)
    section.add_child(instance=draft)
    return pages


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def search(client, query: str, **params) -> str:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def result_titles(body: str) -> list[str]:
    """Titles of the results in order, without the <mark> of the highlighted words."""
    titles = re.findall(r'<h2 class="search-result__title"[^>]*>(.*?)</h2>', body, re.S)
    return [re.sub(r"<[^>]+>", "", title) for title in titles]


@pytest.mark.sqlite
def test_a_word_inside_longer_japanese_text_is_found_titles_first(client, site_pages):
    titles = result_titles(search(client, "子育て"))
    assert titles.index("子育て支援センター") < titles.index("児童手当"), "title hits rank above summary hits"
    assert "ごみの出し方" not in titles
    assert "子育て下書き" not in titles, "drafts are never found"


def test_every_word_must_match_and_empty_queries_find_nothing(client, site_pages):
    assert result_titles(search(client, "子育て 支給")) == ["児童手当"]
    assert result_titles(search(client, "子育て　支給")) == ["児童手当"], "a full-width space separates words too"
    body = search(client, "   ")
    assert 'role="status"' not in body


def test_the_header_search_box_leads_to_results(client, site_pages):
    home = client.get("/").content.decode()
    assert 'action="/search/"' in home
    assert client.get("/search/", {"q": "x" * 500}).status_code == 200, "long input is cut, not an error"


@pytest.mark.sqlite
def test_words_only_in_the_body_are_found_with_the_word_marked(client, section):
    publish(
        section,
        StandardPage(
            title="乳幼児健診",
            slug="kenshin",
            body=[
                ("paragraph", "<p>対象は<b>1歳6か月児</b>です。</p>"),
                ("table", {"data": [["会場", "保健センター2階"]], "first_row_is_table_header": False}),
                (
                    "accordion",
                    {
                        "title": "",
                        "items": [{"question": "持ち物は?", "answer": "<p>母子健康手帳をお持ちください。</p>"}],
                    },
                ),
                ("steps", {"title": "", "steps": [{"title": "問診票を記入する", "text": ""}]}),
            ],
        ),
    )
    for word in ["1歳6か月児", "保健センター", "母子健康手帳", "問診票"]:
        body = search(client, word)
        assert result_titles(body) == ["乳幼児健診"], word
        assert f"<mark>{word}</mark>" in body, f"{word} is highlighted in the snippet"
    assert re.search(r'class="search-result__meta">[^<]*子育て・教育', body), "the section the page is in"


@pytest.mark.sqlite
def test_two_character_words_and_width_and_kana_variants_are_found(client, section):
    publish(section, StandardPage(title="税金の納付", slug="zeikin", intro="コンビニでも納められます。"))
    publish(section, StandardPage(title="ごみカレンダー", slug="gomi", intro="ＰＤＦ版もあります。"))
    assert result_titles(search(client, "税金")) == ["税金の納付"], "2-character words cannot use a trigram index"
    assert result_titles(search(client, "ｺﾝﾋﾞﾆ")) == ["税金の納付"], "half-width katakana"
    assert result_titles(search(client, "ゴミ")) == ["ごみカレンダー"], "katakana finds hiragana"
    assert result_titles(search(client, "pdf")) == ["ごみカレンダー"], "full-width letters, any case"


def test_more_occurrences_rank_higher_among_body_hits(client, section):
    publish(section, StandardPage(title="窓口A", slug="a", intro="保育園の案内です。"))
    publish(section, StandardPage(title="窓口B", slug="b", intro="保育園の入園と保育園の見学、保育園の行事。"))
    publish(section, StandardPage(title="保育園の一覧", slug="c", intro="町内の園です。"))
    assert result_titles(search(client, "保育園")) == ["保育園の一覧", "窓口B", "窓口A"]


def test_documents_are_found_by_title_and_text_with_type_and_size(client, home):
    Document = get_document_model()
    document = Document(title="ごみ収集カレンダー")
    document.file.save("calendar.csv", ContentFile("地区,収集日\n本町,月曜 粗大ごみ受付\n".encode("cp932")))
    document.save()
    for query in ["収集カレンダー", "粗大ごみ受付"]:
        body = search(client, query)
        assert result_titles(body) == ["ごみ収集カレンダー"], query
        assert re.search(r'class="search-result__meta">[^<]*[（(]CSV, \d+[^<]*[）)]', body), "file type and size"
        assert f'href="{document.url}"' in body


def test_documents_in_a_private_collection_are_never_found(client, home):
    private = Collection.get_first_root_node().add_child(name="内部資料")
    Document = get_document_model()
    document = Document(title="職員向けマニュアル", collection=private)
    document.file.save("manual.txt", ContentFile("手順".encode()))
    document.save()
    assert result_titles(search(client, "マニュアル")) == ["職員向けマニュアル"]
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.PASSWORD, password="x"
    )
    assert result_titles(search(client, "マニュアル")) == []


@pytest.mark.sqlite
def test_drafts_private_unpublished_and_deleted_pages_are_never_found(
    client, section, django_capture_on_commit_callbacks
):
    draft = StandardPage(title="予防接種の下書き", slug="draft", live=False)
    section.add_child(instance=draft)
    draft.save_revision()  # saved, never published
    private = publish(section, StandardPage(title="予防接種（職員用）", slug="private"))
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    public = publish(section, StandardPage(title="予防接種", slug="public"))
    gone = publish(section, StandardPage(title="予防接種の会場", slug="gone"))
    assert sorted(result_titles(search(client, "予防接種"))) == ["予防接種", "予防接種の会場"]

    public.unpublish()
    gone.delete()
    assert result_titles(search(client, "予防接種")) == [], "unpublished and deleted pages disappear"
    assert not SearchEntry.objects.filter(page_id=gone.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert result_titles(search(client, "予防接種")) == ["予防接種（職員用）"], "found again once public"


def test_a_private_page_is_deleted_without_index_errors(section, django_capture_on_commit_callbacks, caplog):
    page = publish(section, StandardPage(title="会議録", slug="kaigiroku"))
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")
    page_id = page.pk
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()  # its restriction goes first; the half-deleted page must not be indexed on the way out
    assert not SearchEntry.objects.filter(page_id=page_id).exists()
    assert not [r for r in caplog.records if r.name == "cms.search_index"], "no failed index update logged"


def test_a_page_moved_into_a_private_section_disappears(client, home, section):
    members = publish(home, IndexPage(title="会員専用", slug="members"))
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.PASSWORD, password="x")
    page = publish(section, StandardPage(title="保育料の一覧", slug="hoikuryo"))
    assert result_titles(search(client, "保育料")) == ["保育料の一覧"]
    page.move(members, pos="last-child")
    assert result_titles(search(client, "保育料")) == []


def test_queries_longer_than_100_characters_are_cut(client, site_pages):
    body = search(client, "子育て" + "あ" * 200)
    shown = re.search(r'id="search-page-q" type="search" name="q" value="([^"]*)"', body).group(1)
    assert shown == "子育て" + "あ" * 97, "the query searched and shown is the first 100 characters"


def test_markup_in_queries_and_text_is_shown_as_text(client, section):
    publish(section, StandardPage(title="記号の例", slug="kigou", intro="1 < 2 と <b>子育て</b> の記号。"))
    body = search(client, "<b>子育て")
    assert "<mark>&lt;b&gt;子育て</mark>" in body
    assert "<b>子育て" not in body


def test_readers_get_pages_in_their_language_and_untranslated_japanese_ones(client, settings, section):
    settings.WAGTAIL_I18N_ENABLED = True
    english = Locale.objects.get_or_create(language_code="en")[0]
    teate = publish(section, StandardPage(title="児童手当", slug="teate"))
    publish(
        section,
        StandardPage(
            title="Child allowance (児童手当)", slug="en-teate", locale=english, translation_key=teate.translation_key
        ),
    )
    publish(section, StandardPage(title="児童手当の口座変更", slug="koza"))  # not translated

    with translation.override("ja"):
        assert sorted(e.title for e in search_entries("児童手当", locale=active_locale())) == [
            "児童手当",
            "児童手当の口座変更",
        ], "Japanese readers get Japanese pages only"
    with translation.override("en"):
        assert [e.title for e in search_entries("児童手当", locale=active_locale())] == [
            "Child allowance (児童手当)",
            "児童手当の口座変更",
        ], "English first, then Japanese pages that have no English version; never both versions"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = search(client, "児童手当")
    assert '<h2 class="search-result__title" lang="ja">' in body, "a Japanese result is marked as Japanese"
    assert result_titles(body) == ["Child allowance (児童手当)", "児童手当の口座変更"]


def test_rebuilding_the_index_is_idempotent_and_repairs_it(section):
    page = publish(section, StandardPage(title="児童手当", slug="teate", intro="子育て世帯に支給します。"))
    SearchEntry.objects.filter(page=page).delete()
    SearchEntry.objects.filter(page=section).update(title="古い", search_text="古い")
    call_command("rebuild_search_index", verbosity=0)
    call_command("rebuild_search_index", verbosity=0)
    assert [e.title for e in search_entries("支給")] == ["児童手当"]
    assert list(search_entries("古い")) == [], "a stale entry is replaced by the page's real text"
    assert SearchEntry.objects.filter(page=page).count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_search_results_pass_axe_on_a_phone(new_context, home_page, axe_installed):
    page = new_context(bypass_csp=True, locale="ja-JP", **PHONE).new_page()
    page.goto("/search/?q=子育て")
    expect(page.locator(".search-result__title a", has_text="子育て支援センター").first).to_be_visible()
    expect(page.locator(".search-result__snippet mark").first).to_have_text("子育て")
    assert_no_violations(page)
