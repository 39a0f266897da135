"""Every absolute URL the town site hands out starts with SITE_URL, the address residents use,
whatever host the Wagtail Site record or the request carries (it says localhost on a fresh install)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from cms.demo import publish
from cms.demo_translations import translate
from cms.models import EventIndexPage, IndexPage, NewsIndexPage, NewsPage, StandardPage
from tests.cms.test_feeds import make_event

pytestmark = pytest.mark.django_db

PUBLIC = "https://portal.example.jp"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = PUBLIC


def parse_xml(content: bytes) -> ET.Element:
    """The feeds are our own output, not untrusted input."""
    return ET.fromstring(content)  # noqa: S314


def test_canonical_and_hreflang_links_use_the_site_url(client, home):
    home.save_revision().publish()
    kurashi = publish(home, IndexPage(title="くらし・手続き", slug="kurashi"))
    gomi = publish(kurashi, StandardPage(title="ごみの出し方", slug="gomi"))
    translate(home, "en", title="Midori Town", slug="home-en")
    translate(kurashi, "en", title="Living", slug="living")
    translate(gomi, "en", title="Garbage", slug="garbage")

    body = client.get("/kurashi/gomi/").content.decode()
    assert f'<link rel="canonical" href="{PUBLIC}/kurashi/gomi/">' in body
    assert f'<link rel="alternate" hreflang="ja" href="{PUBLIC}/kurashi/gomi/">' in body
    assert f'<link rel="alternate" hreflang="en" href="{PUBLIC}/en/living/garbage/">' in body
    assert f'<link rel="alternate" hreflang="x-default" href="{PUBLIC}/kurashi/gomi/">' in body
    assert "http://localhost" not in body


def test_sitemap_and_robots_use_the_site_url(client, home):
    publish(home, StandardPage(title="ごみの出し方", slug="gomi"))
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>{PUBLIC}/gomi/</loc>" in sitemap
    assert "localhost" not in sitemap
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in client.get("/robots.txt").content.decode()


@pytest.mark.parametrize("path", ["/feeds/news.rss", "/feeds/news.atom"])
def test_news_feeds_link_to_the_site_url(client, home, path):
    index = publish(home, NewsIndexPage(title="お知らせ", slug="news"))
    publish(index, NewsPage(title="お知らせ1", slug="one", date=date(2025, 5, 1)))
    body = client.get(path).content.decode()
    assert f"{PUBLIC}/news/one/" in body
    assert f"{PUBLIC}{path}" in body, "the feed's own address"
    assert "localhost" not in body and "testserver" not in body


def test_event_calendar_links_to_the_site_url(client, home):
    events = publish(home, EventIndexPage(title="イベント", slug="events"))
    page = make_event(events, "matsuri", timezone.now() + timedelta(days=3))
    [event] = Calendar.from_ical(client.get(f"/events/{page.pk}.ics").content).walk("VEVENT")
    assert str(event["URL"]) == f"{PUBLIC}/events/matsuri/"


def test_every_page_type_builds_its_absolute_url_from_the_site_url():
    from wagtail.models import Page, get_page_models

    from cms.models import SiteUrlMixin

    missing = [m.__name__ for m in get_page_models() if m is not Page and not issubclass(m, SiteUrlMixin)]
    assert missing == [], "page types whose full_url would use the Site record's host"
