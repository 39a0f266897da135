"""The site search finds the archive and each published request, and forgets an unpublished one."""

from __future__ import annotations

import pytest

from cms.search import search_page
from cms.search_index import SearchEntry, rebuild_index
from disclosure.archive import services
from tests.disclosure.archive.conftest import IDENTITY

pytestmark = pytest.mark.django_db


def urls(query: str) -> list[str]:
    _page, results = search_page(query)
    return [result.url for result in results]


def test_the_site_search_finds_a_published_request_by_japanese_words(home, decided, publish):
    rebuild_index()
    assert "/disclosure/archive/" in urls("開示請求")
    publish(decided, title="町道改良工事の設計書", text="令和7年度 町道改良工事の設計書")
    page = f"/disclosure/archive/{decided.pk}/"
    assert page in urls("改良工事")  # indexed in the publishing transaction
    entry = SearchEntry.objects.get(source=services.SEARCH_SOURCE, url=page)
    for value in (*IDENTITY.values(), "山田花子"):
        assert value not in entry.title and value not in entry.text


def test_an_unpublished_request_leaves_the_site_search(home, decided, clerk, publish):
    publish(decided)
    page = f"/disclosure/archive/{decided.pk}/"
    assert SearchEntry.objects.filter(url=page).exists()
    services.unpublish(request=decided, by=clerk, reason="誤り")
    assert not SearchEntry.objects.filter(url=page).exists()
    rebuild_index()
    assert page not in urls("設計書")
