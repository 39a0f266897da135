"""The search box finds Japanese words inside longer text, titles first."""

from __future__ import annotations

import pytest

from cms.demo import publish
from cms.models import IndexPage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_pages(home):
    section = IndexPage(title="子育て・教育", slug="kosodate")
    home.add_child(instance=section)
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


@pytest.mark.sqlite
def test_a_word_inside_longer_japanese_text_is_found_titles_first(client, site_pages):
    body = client.get("/search/", {"q": "子育て"}).content.decode()
    assert body.index("子育て支援センター") < body.index("児童手当"), "title hits rank above summary hits"
    assert "ごみの出し方" not in body
    assert "子育て下書き" not in body, "drafts are never found"


def test_every_word_must_match_and_empty_queries_find_nothing(client, site_pages):
    assert "児童手当" in client.get("/search/", {"q": "子育て 支給"}).content.decode()
    assert "子育て支援センター" not in client.get("/search/", {"q": "子育て 支給"}).content.decode()
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert 'role="status"' not in response.content.decode()


def test_the_header_search_box_leads_to_results(client, site_pages):
    home = client.get("/").content.decode()
    assert 'action="/search/"' in home
    assert client.get("/search/", {"q": "x" * 500}).status_code == 200, "long input is cut, not an error"
