"""``<time datetime>`` values are valid HTML: whole seconds, an offset, no microseconds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from cms.demo import publish
from cms.models import EventIndexPage, EventPage, StandardPage

#: HTML's "valid global date and time string" as we write it (a fraction of a second has at most 3 digits).
VALID = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$")


def render(value, tz: str = "") -> str:
    source = "{% load tz html_time %}" + (f'{{% timezone "{tz}" %}}' if tz else "")
    source += "{{ value|html_datetime }}" + ("{% endtimezone %}" if tz else "")
    return Template(source).render(Context({"value": value}))


def test_filter_drops_microseconds_and_uses_the_current_time_zone():
    moment = datetime(2026, 12, 4, 14, 44, 7, 714336, tzinfo=UTC)
    assert render(moment, "Asia/Tokyo") == "2026-12-04T23:44:07+09:00"
    assert VALID.match(render(moment))
    assert render(date(2026, 12, 7)) == "2026-12-07"
    assert render(None) == ""


def datetimes(body: str) -> list[str]:
    return re.findall(r'<time datetime="([^"]+)"', body)


@pytest.mark.django_db
def test_cms_pages_have_valid_time_elements(client, home):
    page = publish(home, StandardPage(title="ごみの出し方", slug="gomi"))
    StandardPage.objects.filter(pk=page.pk).update(
        last_published_at=datetime(2026, 12, 4, 14, 44, 7, 714336, tzinfo=UTC)
    )
    events = publish(home, EventIndexPage(title="イベント", slug="events"))
    start = timezone.now().replace(microsecond=123456) + timedelta(days=3)
    publish(
        events, EventPage(title="夏祭り", slug="matsuri", venue="中央公園", start=start, end=start + timedelta(hours=2))
    )

    gomi = datetimes(client.get("/gomi/").content.decode())
    assert gomi == ["2026-12-04T23:44:07+09:00"]
    matsuri = datetimes(client.get("/events/matsuri/").content.decode())
    assert len(matsuri) >= 2
    for value in gomi + matsuri:
        assert VALID.match(value), value
