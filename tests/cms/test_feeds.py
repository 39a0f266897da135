"""News feeds (RSS, Atom) and event calendar files (.ics) publish live, public pages only."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from cms.demo import publish
from cms.models import EventIndexPage, EventPage, NewsCategory, NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
TOKYO = ZoneInfo("Asia/Tokyo")


def parse_xml(content: bytes) -> ET.Element:
    """The feeds are our own output, not untrusted input."""
    return ET.fromstring(content)  # noqa: S314


@pytest.fixture
def news(home):
    index = publish(home, NewsIndexPage(title="お知らせ", slug="news", intro="町からのお知らせです。"))
    tax = NewsCategory.objects.create(name="税金", slug="zei")
    publish(index, NewsPage(title="古いお知らせ", slug="old", date=date(2025, 4, 1), intro="古い"))
    publish(index, NewsPage(title="新しいお知らせ", slug="new", date=date(2025, 5, 1), intro="新しい", category=tax))
    index.add_child(instance=NewsPage(title="下書きのお知らせ", slug="draft", date=date(2025, 6, 1), live=False))
    return index


@pytest.fixture
def events(home):
    return publish(home, EventIndexPage(title="イベント", slug="events"))


def make_event(index, slug, start, *, hours=2, live=True, **fields):
    page = EventPage(
        title=fields.pop("title", f"イベント {slug}"),
        slug=slug,
        start=start,
        end=start + timedelta(hours=hours),
        venue=fields.pop("venue", "町民会館"),
        **fields,
    )
    if live:
        return publish(index, page)
    page.live = False
    index.add_child(instance=page)
    return page


def test_rss_lists_live_news_newest_first(client, news):
    response = client.get("/feeds/news.rss")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response.content).find("channel")
    assert channel.findtext("title") == "お知らせ"
    assert channel.findtext("language") == "ja"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["新しいお知らせ", "古いお知らせ"]
    newest = items[0]
    assert newest.findtext("link").startswith("http") and newest.findtext("link").endswith("/news/new/")
    assert newest.findtext("description") == "新しい"
    assert newest.findtext("category") == "税金"
    assert newest.findtext("pubDate") == "Thu, 01 May 2025 00:00:00 +0900"
    assert "下書き" not in response.content.decode()


def test_atom_lists_live_news_newest_first(client, news):
    response = client.get("/feeds/news.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "お知らせ"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["新しいお知らせ", "古いお知らせ"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/news/new/")
    assert entries[0].find(f"{ATOM}category").get("term") == "税金"
    assert entries[0].findtext(f"{ATOM}published") == "2025-05-01T00:00:00+09:00"
    assert "下書き" not in response.content.decode()


def test_feed_falls_back_to_site_name_without_news_index(client, home, settings):
    settings.WAGTAIL_SITE_NAME = "テスト町ポータル"
    channel = parse_xml(client.get("/feeds/news.rss").content).find("channel")
    assert channel.findtext("title") == "テスト町ポータル"
    assert channel.findall("item") == []


def test_news_index_links_to_feeds(client, news):
    body = client.get(news.url).content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in body
    assert 'href="/feeds/news.rss"' in body and 'href="/feeds/news.atom"' in body


def test_single_event_ics(client, events, settings):
    settings.MAIL_MESSAGE_ID_DOMAIN = "portal.example.jp"
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    page = make_event(events, "matsuri", start, title="夏祭り", venue="中央公園", intro="盆踊りと屋台")
    response = client.get(f"/events/{page.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{page.pk}.ics"'
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar and "X-WR-CALNAME" in calendar
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Tokyo"]
    (event,) = calendar.events
    assert str(event["UID"]) == f"event-{page.pk}@portal.example.jp"
    assert str(event["SUMMARY"]) == "夏祭り"
    assert str(event["LOCATION"]) == "中央公園"
    assert str(event["DESCRIPTION"]) == "盆踊りと屋台"
    assert str(event["URL"]).endswith("/events/matsuri/")
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    dtstart = event["DTSTART"].dt
    assert dtstart == start.astimezone(TOKYO)
    assert dtstart.utcoffset() == timedelta(hours=9)
    assert event["DTEND"].dt == page.end
    assert "DTSTAMP" in event


def test_calendar_lists_only_upcoming_live_events(client, events):
    now = timezone.now()
    make_event(events, "past", now - timedelta(days=2), title="終わった催し")
    make_event(events, "ongoing", now - timedelta(hours=1), title="開催中の催し")
    make_event(events, "later", now + timedelta(days=10), title="来月の催し")
    make_event(events, "soon", now + timedelta(days=1), title="明日の催し")
    make_event(events, "draft", now + timedelta(days=2), title="下書きの催し", live=False)
    response = client.get("/events/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert [str(event["SUMMARY"]) for event in calendar.events] == ["開催中の催し", "明日の催し", "来月の催し"]
    assert calendar.get_missing_tzids() == set()


def test_unpublished_or_unknown_event_gives_404(client, events):
    draft = make_event(events, "draft", timezone.now() + timedelta(days=1), live=False)
    assert client.get(f"/events/{draft.pk}.ics").status_code == 404
    assert client.get(f"/events/{events.pk}.ics").status_code == 404, "not an event page"
    assert client.get("/events/999999.ics").status_code == 404


def test_event_pages_link_to_calendar_files(client, events):
    page = make_event(events, "matsuri", timezone.now() + timedelta(days=1))
    assert f'href="/events/{page.pk}.ics"' in client.get(page.url).content.decode()
    assert 'href="/events/calendar.ics"' in client.get(events.url).content.decode()


def test_atom_entries_say_when_they_were_updated_and_the_feed_names_its_author(client, news, settings):
    settings.WAGTAIL_SITE_NAME = "みどり町ポータル"
    feed = parse_xml(client.get("/feeds/news.atom").content)
    author = feed.find(f"{ATOM}author")
    assert author is not None and author.findtext(f"{ATOM}name") == "みどり町ポータル"
    entries = feed.findall(f"{ATOM}entry")
    assert entries and all(entry.findtext(f"{ATOM}updated") for entry in entries)
    newest = NewsPage.objects.get(slug="new")
    updated = datetime.fromisoformat(entries[0].findtext(f"{ATOM}updated"))
    assert updated == newest.last_published_at.replace(microsecond=0), "published on the page's last publication"
    assert updated >= datetime.fromisoformat(entries[0].findtext(f"{ATOM}published"))


def test_event_files_name_the_town_as_organizer_of_the_published_event(client, events, settings):
    settings.DEFAULT_FROM_EMAIL = "みどり町ポータル <no-reply@portal.example.jp>"
    settings.WAGTAIL_SITE_NAME = "みどり町ポータル"
    page = make_event(events, "undokai", timezone.now() + timedelta(days=3))
    for path in (f"/events/{page.pk}.ics", "/events/calendar.ics"):
        calendar = Calendar.from_ical(client.get(path).content)
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Tokyo"]
        (event,) = calendar.events
        assert str(event["ORGANIZER"]) == "mailto:no-reply@portal.example.jp"
        assert event["ORGANIZER"].params["CN"] == "みどり町ポータル"
