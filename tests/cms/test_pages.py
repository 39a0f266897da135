"""Town pages render what residents need: title, content blocks, breadcrumbs, last update."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail import blocks

from cms.blocks import AccessibleImageBlock
from cms.demo import publish
from cms.models import (
    DepartmentPage,
    EventIndexPage,
    EventPage,
    HomePage,
    IndexPage,
    NewsCategory,
    NewsIndexPage,
    NewsPage,
    StandardPage,
)

pytestmark = pytest.mark.django_db


def test_standard_page_shows_blocks_breadcrumbs_and_last_update(client, home):
    section = publish(home, IndexPage(title="くらし・手続き", slug="kurashi"))
    department = publish(
        home, DepartmentPage(title="住民課", slug="jumin", phone="0123-45-6789", email="jumin@example.jp")
    )
    page = publish(
        section,
        StandardPage(
            title="住民票の写しの請求",
            slug="juminhyo",
            intro="住民票の写しは窓口またはコンビニで取得できます。",
            body=[
                ("heading", {"text": "必要なもの", "level": "h2"}),
                ("paragraph", "<p>本人確認書類をお持ちください。</p>"),
                ("callout", {"level": "warning", "title": "ご注意", "text": "<p>代理人は委任状が必要です。</p>"}),
                (
                    "accordion",
                    {"title": "よくある質問", "items": [{"question": "手数料は?", "answer": "<p>1通300円です。</p>"}]},
                ),
                (
                    "steps",
                    {
                        "title": "手続きの流れ",
                        "steps": [{"title": "申請書を書く", "text": ""}, {"title": "窓口に出す", "text": ""}],
                    },
                ),
                ("contact", {"department": department}),
            ],
        ),
    )
    body = client.get(page.url).content.decode()
    assert "<h1>住民票の写しの請求</h1>" in body
    assert '<nav class="breadcrumbs"' in body and ">くらし・手続き</a>" in body
    assert '<li aria-current="page">住民票の写しの請求</li>' in body
    assert "<h2>必要なもの</h2>" in body
    assert "代理人は委任状が必要です" in body
    assert "<details>" in body and "<summary>手数料は?</summary>" in body
    assert '<li><p class="steps__title">申請書を書く</p>' in body
    assert 'href="tel:0123456789"' in body
    assert "最終更新" in body or "Last updated" in body


def test_section_index_lists_its_live_pages_only(client, home):
    section = publish(home, IndexPage(title="子育て", slug="kosodate"))
    publish(section, StandardPage(title="児童手当", slug="jido-teate"))
    draft = StandardPage(title="下書きのページ", slug="draft", live=False)
    section.add_child(instance=draft)
    body = client.get(section.url).content.decode()
    assert "児童手当" in body
    assert "下書きのページ" not in body


def test_news_index_pages_and_filters_by_category(client, home, monkeypatch):
    monkeypatch.setattr(NewsIndexPage, "per_page", 2)
    index = publish(home, NewsIndexPage(title="お知らせ", slug="news"))
    tax = NewsCategory.objects.create(name="税金", slug="zei")
    for day in range(3):
        publish(
            index,
            NewsPage(
                title=f"お知らせ{day}",
                slug=f"n{day}",
                date=timezone.localdate() - timedelta(days=day),
                category=tax if day == 2 else None,
            ),
        )
    first = client.get(index.url).content.decode()
    assert first.index("お知らせ0") < first.index("お知らせ1"), "newest first"
    assert 'rel="next"' in first
    filtered = client.get(index.url, {"category": "zei"}).content.decode()
    assert "お知らせ2" in filtered and "お知らせ0</a>" not in filtered


def test_home_shows_latest_news_and_upcoming_events_only(client, home):
    news = publish(home, NewsIndexPage(title="お知らせ", slug="news"))
    publish(news, NewsPage(title="ごみ収集日の変更", slug="gomi"))
    events = publish(home, EventIndexPage(title="イベント", slug="events"))
    now = timezone.now()
    publish(
        events,
        EventPage(
            title="夏祭り",
            slug="natsu",
            start=now + timedelta(days=3),
            end=now + timedelta(days=3, hours=3),
            venue="中央公園",
        ),
    )
    publish(
        events,
        EventPage(
            title="終わった講座",
            slug="past",
            start=now - timedelta(days=3),
            end=now - timedelta(days=3, hours=-1),
            venue="公民館",
        ),
    )
    body = client.get("/").content.decode()
    assert "ごみ収集日の変更" in body
    assert "夏祭り" in body and "中央公園" in body
    assert "終わった講座" not in body


def test_event_end_before_start_is_refused(home):
    events = publish(home, EventIndexPage(title="イベント", slug="events"))
    now = timezone.now()
    event = EventPage(title="逆転", slug="bad", start=now, end=now - timedelta(hours=1), venue="役場")
    with pytest.raises(Exception, match="end"):
        events.add_child(instance=event)


def test_image_without_alternative_text_is_refused():
    block = AccessibleImageBlock()
    with pytest.raises(blocks.StructBlockValidationError) as error:
        block.clean(block.to_python({"image": None, "alt": "   ", "caption": ""}))
    assert "alt" in error.value.block_errors or "image" in error.value.block_errors


def test_page_tree_rules_keep_news_under_the_news_index():
    assert NewsPage.parent_page_types == ["cms.NewsIndexPage"]
    assert StandardPage in IndexPage.allowed_subpage_models()
    assert NewsPage not in HomePage.allowed_subpage_models()
