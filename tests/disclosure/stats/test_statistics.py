"""運用状況: the yearly counts on a known set of requests, in a constant number of queries, as a page and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from disclosure.appeals.models import Appeal, AppealOutcome, AppealStatus
from disclosure.models import Event, EventKind, Extension, Status
from disclosure.stats.selectors import OUTCOMES, year_statistics
from tests.disclosure.factories import RequestFactory

pytestmark = pytest.mark.django_db

S = Status
#: (received, status, department, decided, due, extensions) — days to decision in the comment.
REQUESTS = [
    (date(2026, 4, 10), S.DISCLOSED, "総務課", date(2026, 4, 20), date(2026, 4, 27), ""),  # 10, in time
    (date(2026, 5, 1), S.PARTIAL, "総務課", date(2026, 6, 5), date(2026, 6, 15), "e"),  # 35, extended
    (date(2026, 6, 1), S.IMPLEMENTED, "建設課", date(2026, 6, 20), date(2026, 6, 16), ""),  # 19, late
    (date(2026, 7, 1), S.NOT_DISCLOSED, "建設課", date(2026, 9, 15), date(2026, 8, 15), "es"),  # 76, special, late
    (date(2026, 8, 1), S.NONEXISTENT, "", date(2026, 8, 16), date(2026, 8, 17), ""),  # 15
    (date(2026, 9, 1), S.NEITHER, "建設課", date(2026, 10, 1), date(2026, 10, 16), "e"),  # 30, extended
    (date(2026, 10, 1), S.WITHDRAWN, "総務課", None, None, ""),
    (date(2026, 11, 1), S.REJECTED, "", date(2026, 11, 20), None, ""),  # 却下: not a decision counted in days
    (date(2027, 1, 10), S.TRANSFERRED, "建設課", None, None, ""),
    (date(2027, 3, 31), S.RECEIVED, "総務課", None, date(2027, 4, 15), ""),
    (date(2027, 2, 1), S.CORRECTION, "", None, None, ""),
    # Other fiscal years
    (date(2026, 3, 31), S.DISCLOSED, "総務課", date(2026, 4, 3), date(2026, 4, 15), ""),
    (date(2027, 4, 1), S.RECEIVED, "総務課", None, date(2027, 4, 16), ""),
]


@pytest.fixture
def dataset(db):
    made = []
    for received, status, department, decided, due, extensions in REQUESTS:
        request = RequestFactory(
            received_on=received, status=status, department=department, decided_on=decided, due_date=due
        )
        if "e" in extensions:
            Extension.objects.create(request=request, days=30, reason="量が多い")
        if "s" in extensions:
            Extension.objects.create(
                request=request, special=True, reason="著しく大量", remainder_due=date(2026, 12, 1)
            )
        made.append(request)
    # The implemented request was decided 部分開示: it counts there, not as 全部開示.
    Event.objects.create(request=made[2], kind=EventKind.DECIDED, status=S.PARTIAL)
    Event.objects.create(request=made[2], kind=EventKind.IMPLEMENTED, status=S.IMPLEMENTED)
    appeal = {"grounds": "不服"}
    Appeal.objects.create(
        request=made[2],
        filed_on=date(2026, 7, 1),
        status=AppealStatus.DECIDED,
        decided_on=date(2026, 12, 1),
        outcome=AppealOutcome.DENIED,
        **appeal,
    )
    Appeal.objects.create(
        request=made[3],
        filed_on=date(2026, 10, 1),
        status=AppealStatus.REFERRED,
        referred_on=date(2026, 10, 5),
        **appeal,
    )
    Appeal.objects.create(
        request=made[5],
        filed_on=date(2027, 3, 31),
        status=AppealStatus.DECIDED,
        decided_on=date(2027, 3, 31),
        outcome=AppealOutcome.UPHELD,
        **appeal,
    )
    # Filed in FY2026 against a request of FY2025: appeals count by the year they were filed in.
    Appeal.objects.create(
        request=made[11],
        filed_on=date(2026, 4, 5),
        status=AppealStatus.DECIDED,
        decided_on=date(2026, 9, 1),
        outcome=AppealOutcome.PARTLY_UPHELD,
        **appeal,
    )
    Appeal.objects.create(
        request=made[11],
        filed_on=date(2026, 3, 20),
        status=AppealStatus.DECIDED,
        decided_on=date(2026, 3, 25),
        outcome=AppealOutcome.DISMISSED,
        **appeal,
    )
    return made


#: The outcome columns: 全部開示 部分開示 非開示 不存在 存否応答拒否 取下げ 却下 移送 処理中
ALL = [1, 2, 1, 1, 1, 1, 1, 1, 2]
KENSETSU = [0, 1, 1, 0, 1, 0, 0, 1, 0]
SOMU = [1, 1, 0, 0, 0, 1, 0, 0, 1]
UNSET = [0, 0, 0, 1, 0, 0, 1, 0, 1]


def _check_numbers(stats):
    assert stats.received == 11
    assert list(stats.outcomes.values()) == ALL
    assert [(name, list(counts.values()), total) for name, counts, total in stats.departments] == [
        ("建設課", KENSETSU, 4),
        ("総務課", SOMU, 4),
        ("", UNSET, 3),
    ]
    days = stats.days
    assert (days.count, days.mean, days.median, days.maximum) == (6, 30.8, 24.5, 76)
    assert [count for _label, count in days.buckets] == [2, 2, 1, 0, 1]
    assert (days.without_extension, days.after_extension, days.after_special_extension, days.past_due) == (3, 2, 1, 2)
    assert stats.appeals_filed == 4
    assert stats.appeal_outcomes == {"upheld": 1, "partly_upheld": 1, "denied": 1, "dismissed": 0, "open": 1}


def test_the_numbers_of_a_known_year(dataset):
    _check_numbers(year_statistics(2026))


@pytest.mark.sqlite
def test_the_numbers_are_the_same_on_sqlite(dataset):
    """The embedded default (Quick start) counts the same: run with ``-m sqlite`` and no DATABASE_URL."""
    _check_numbers(year_statistics(2026))


def test_the_neighbouring_years_count_only_their_own_requests(dataset):
    before, after = year_statistics(2025), year_statistics(2027)
    assert before.received == 1 and before.outcomes["disclosed"] == 1 and before.days.count == 1
    assert str(before.days.median) == "3" and before.days.mean == 3  # 3/31 → 4/3
    assert before.appeals_filed == 1 and before.appeal_outcomes["dismissed"] == 1
    assert after.received == 1 and after.outcomes["open"] == 1 and after.days.count == 0


def test_an_empty_year_has_zeros_and_no_averages(db):
    stats = year_statistics(2026)
    assert stats.received == 0 and set(stats.outcomes.values()) == {0} and stats.departments == []
    assert (stats.days.mean, stats.days.median, stats.days.maximum) == (None, None, None)
    assert stats.appeals_filed == 0


def test_two_queries_whatever_the_number_of_requests(db, django_assert_num_queries):
    with django_assert_num_queries(2):
        year_statistics(2026)
    for n in range(40):
        request = RequestFactory(
            received_on=date(2026, 5, 1 + n % 28),
            status=S.PARTIAL,
            decided_on=date(2026, 6, 1),
            department=f"課{n % 7}",
        )
        Extension.objects.create(request=request, days=10, reason="x")
        Event.objects.create(request=request, kind=EventKind.DECIDED, status=S.PARTIAL)
        Appeal.objects.create(request=request, filed_on=date(2026, 7, 1), grounds="x")
    with django_assert_num_queries(2):
        stats = year_statistics(2026)
    assert stats.received == 40 and stats.appeals_filed == 40 and len(stats.departments) == 7


def _csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_one_section_per_table(client, dataset):
    response = client.get(reverse("disclosure_stats:csv", args=[2026]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="disclosure-statistics-2026.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["情報公開制度の運用状況（2026年度）"]
    labels = [str(label) for _key, label in OUTCOMES]
    assert labels[:5] == ["全部開示", "部分開示", "非開示", "不存在", "存否応答拒否"] and labels[-1] == "処理中"
    at = rows.index(["請求件数と処理状況"])
    assert rows[at + 1] == ["", "受付件数", *labels]
    assert rows[at + 2] == ["全体", "11", *map(str, ALL)]
    at = rows.index(["担当課別の件数"])
    assert rows[at + 2 : at + 5] == [
        ["建設課", "4", *map(str, KENSETSU)],
        ["総務課", "4", *map(str, SOMU)],
        ["未設定", "3", *map(str, UNSET)],
    ]
    assert ["平均", "30.8"] in rows and ["中央値", "24.5"] in rows and ["最長", "76"] in rows
    assert ["15日以内", "2"] in rows and ["60日超", "1"] in rows and ["期限を過ぎて決定", "2"] in rows
    assert ["特例延長後に決定", "1"] in rows
    at = rows.index(["審査請求の件数と結果"])
    assert rows[at + 1] == ["", "件数", "認容", "一部認容", "棄却", "却下", "審理中"]
    assert rows[at + 2] == ["全体", "4", "1", "1", "1", "0", "1"]
    sections = [row for row in rows[1:] if len(row) == 1]
    assert len(sections) == 6 and rows.count([]) == 6  # a blank line before each table
    text = response.content.decode("utf-8-sig")
    assert "山田" not in text and "R2026" not in text and "hanako" not in text  # counts only


def test_the_csv_of_a_year_without_statistics_is_404(client, dataset):
    assert client.get(reverse("disclosure_stats:csv", args=[1999])).status_code == 404


def test_the_page_shows_accessible_tables_and_the_year_chooser(client, dataset):
    page = client.get(reverse("disclosure_stats:index"), {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>情報公開制度の運用状況（2026年度）</h1>" in html
    assert html.count("<caption") == 6 and '<th scope="col">受付件数</th>' in html
    assert '<th scope="row">建設課</th><td>4</td><td>0</td><td>1</td>' in html
    assert '<a href="?year=2025">2025年度</a>' in html and 'aria-current="page">2026年度</a>' in html
    assert '<select id="stats-year" name="year">' in html and '<label for="stats-year">年度</label>' in html
    assert f'href="{reverse("disclosure_stats:csv", args=[2026])}"' in html
    assert "山田" not in html and "R2026" not in html
    other = client.get(reverse("disclosure_stats:index"), {"year": 2025}).content.decode()
    assert "（2025年度）" in other


def test_an_unknown_year_is_404_and_no_year_shows_the_newest(client, dataset):
    assert client.get(reverse("disclosure_stats:index"), {"year": 1990}).status_code == 404
    page = client.get(reverse("disclosure_stats:index"), {"year": "abc"})
    assert page.status_code == 200 and 'aria-current="page"' in page.content.decode()


def test_the_catalogue_links_to_the_statistics(client, db):
    html = client.get(reverse("disclosure_catalogue:index")).content.decode()
    assert f'href="{reverse("disclosure_stats:index")}"' in html and "運用状況" in html


def test_the_statistics_page_is_valid_html(client, dataset, tmp_path):
    from tests.test_html_valid import vnu_errors

    url = reverse("disclosure_stats:index") + "?year=2026"
    assert vnu_errors({url: client.get(url).content.decode()}, tmp_path) == []
