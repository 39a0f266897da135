"""The archive search on the embedded SQLite default (the Quick start) as on PostgreSQL."""

from __future__ import annotations

import datetime

import pytest

from disclosure.archive.search import Filters, search
from disclosure.models import Status

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_japanese_words_filters_and_fiscal_years_work_on_any_database(make_decided, publish):
    publish(make_decided(Status.DISCLOSED, decided_on=datetime.date(2026, 3, 31)), title="ゴミ収集委託契約書")
    publish(
        make_decided(Status.IMPLEMENTED, decided_on=datetime.date(2026, 4, 1), decision=Status.PARTIAL),
        title="子育て支援センター要綱",
        text="ﾍﾞﾋﾞｰｶｰの貸出",
    )

    def found(query, **filters):
        _page, results, _facets = search(query, Filters(**filters))
        return [r.request.public_title for r in results]

    assert found("ごみ") == ["ゴミ収集委託契約書"]
    assert found("ベビーカー") == ["子育て支援センター要綱"]
    assert found("支援セン") == ["子育て支援センター要綱"]
    assert found("", year=2025) == ["ゴミ収集委託契約書"]  # 31 March is the last day of FY2025
    assert found("", year=2026, decision="partial") == ["子育て支援センター要綱"]
    _page, _results, facets = search("", Filters())
    assert {(f.value, f.count) for f in facets["decision"]} == {("disclosed", 1), ("partial", 1)}
