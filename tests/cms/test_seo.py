"""Town pages tell search engines and link previews their address, title and summary."""

from __future__ import annotations

import pytest

from cms.demo import publish
from cms.models import StandardPage

pytestmark = pytest.mark.django_db


def test_standard_page_has_canonical_and_open_graph_tags(client, home, settings):  # noqa: F811
    page = publish(
        home,
        StandardPage(
            title="住民票の写しの請求",
            slug="juminhyo",
            seo_title="住民票の写し | みどり町",
            search_description="住民票の写しの取り方と手数料。",
            intro="住民票の写しは窓口またはコンビニで取得できます。",
        ),
    )
    body = client.get(page.url).content.decode()
    url = page.full_url
    assert url.startswith("http")
    assert f'<link rel="canonical" href="{url}">' in body
    assert f'<meta property="og:url" content="{url}">' in body
    assert '<meta property="og:title" content="住民票の写し | みどり町">' in body
    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="og:description" content="住民票の写しの取り方と手数料。">' in body
    assert '<meta name="description" content="住民票の写しの取り方と手数料。">' in body
    assert f'<meta property="og:site_name" content="{settings.WAGTAIL_SITE_NAME}">' in body
    assert '<meta property="og:locale" content="ja_JP">' in body


def test_open_graph_description_falls_back_to_the_shortened_summary(client, home):  # noqa: F811
    page = publish(home, StandardPage(title="児童手当", slug="jido", intro="あ" * 200))
    body = client.get(page.url).content.decode()
    assert '<meta name="description"' not in body
    assert f'<meta property="og:description" content="{"あ" * 119}…">' in body
    assert '<meta property="og:title" content="児童手当">' in body
