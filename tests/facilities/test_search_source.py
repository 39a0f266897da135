"""Issue 12: the site search finds the facility pages (list, each facility, lotteries) with Japanese words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cms.search import search_page
from cms.search_index import SearchEntry, rebuild_index
from facilities.models import LotteryRound
from tests.facilities.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def _titles_and_urls(query):
    _page, results = search_page(query)
    return [(str(r.title), r.url) for r in results]


def test_search_finds_the_facility_list_for_booking_words(home):
    FacilityFactory(name="総合体育館", slug="sogo", reading="そうごうたいいくかん")
    rebuild_index()
    with translation.override("ja"):
        _page, results = search_page("施設予約")
    assert results[0].url == "/facilities/"
    assert results[0].section == ["施設予約"]


def test_search_finds_a_facility_by_part_of_its_name_and_its_reading(home):
    FacilityFactory(name="総合体育館", slug="sogo", reading="そうごうたいいくかん")
    rebuild_index()
    assert ("<mark>総合体育館</mark>", "/facilities/sogo/") in _titles_and_urls("総合体育館")
    assert "/facilities/sogo/" in [url for _t, url in _titles_and_urls("体育館")]
    assert "/facilities/sogo/" in [url for _t, url in _titles_and_urls("たいいくかん")]


def test_search_finds_the_lottery_and_each_open_round(home):
    facility = FacilityFactory(name="総合体育館", slug="sogo")
    now = timezone.now()
    round = LotteryRound.objects.create(
        facility=facility,
        month=(now + timedelta(days=40)).date().replace(day=1),
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
    )
    rebuild_index()
    urls = [url for _t, url in _titles_and_urls("抽選")]
    assert "/facilities/lottery/" in urls
    assert f"/facilities/lottery/#round-{round.pk}" in urls


def test_a_new_facility_is_found_as_soon_as_it_is_saved_and_gone_when_deleted(home):
    rebuild_index()
    facility = FacilityFactory(name="北地区集会所", slug="kita")
    assert SearchEntry.objects.filter(source="facilities", url="/facilities/kita/").exists()
    facility.delete()
    assert not SearchEntry.objects.filter(source="facilities", url="/facilities/kita/").exists()


def test_lottery_page_lists_upcoming_rounds(client):
    facility = FacilityFactory(name="総合体育館", slug="sogo")
    now = timezone.now()
    LotteryRound.objects.create(
        facility=facility,
        month=(now + timedelta(days=70)).date().replace(day=1),
        opens_at=now + timedelta(days=3),
        closes_at=now + timedelta(days=10),
    )
    html = client.get("/facilities/lottery/").content.decode()
    assert "総合体育館" in html
