"""The request's state machine: what staff and requesters may do in which status, what it does to the
due date, and the mails it queues. A refused action changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from disclosure import services
from disclosure.errors import DisclosureError
from disclosure.models import EventKind, ReceiptCounter, Request, Status
from notifications.models import OutboundMail
from tests.disclosure.factories import ClosedDayFactory, RequestFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "requester_type": "individual",
    "name": "山田 花子",
    "address": "みどり町本町1-2-3",
    "email": "hanako@example.jp",
    "document": "令和7年度 町道改良工事の設計書",
    "preferred_form": "copy",
}


def mails_to(email):
    return list(OutboundMail.objects.filter(to_email=email).order_by("pk"))


def test_filing_gives_a_receipt_number_per_year_a_due_date_and_mails(clerk):
    user = UserFactory()
    first = services.file_request(user=user, **FORM, today=date(2026, 7, 1))
    second = services.file_request(user=user, **FORM, today=date(2026, 12, 28))
    next_year = services.file_request(user=user, **FORM, today=date(2027, 1, 5))
    assert [first.number, second.number, next_year.number] == ["R2026-0001", "R2026-0002", "R2027-0001"]
    assert first.due_date == date(2026, 7, 16) and first.status == Status.RECEIVED
    assert second.due_date == date(2027, 1, 12)
    receipt = mails_to("hanako@example.jp")[0]
    assert "R2026-0001" in receipt.subject and "情報公開" in receipt.subject
    assert "2026年7月16日" in receipt.body_text and "受け付けました" in receipt.body_text
    assert len(mails_to(clerk.email)) == 3
    assert first.events.get().kind == EventKind.FILED


@pytest.mark.parametrize("field", ["document", "name", "address"])
def test_an_empty_request_is_refused_and_changes_nothing(field):
    with pytest.raises(DisclosureError) as refused:
        services.file_request(user=UserFactory(), **{**FORM, field: "   "}, today=date(2026, 7, 1))
    assert refused.value.code == "missing_text"
    assert "入力してください" in refused.value.message
    assert not Request.objects.exists() and not ReceiptCounter.objects.exists() and not OutboundMail.objects.exists()


@pytest.mark.parametrize("change", [{"requester_type": "robot"}, {"preferred_form": "fax"}])
def test_an_unknown_choice_is_refused_and_changes_nothing(change):
    with pytest.raises(DisclosureError) as refused:
        services.file_request(user=UserFactory(), **{**FORM, **change}, today=date(2026, 7, 1))
    assert refused.value.code == "bad_choice" and "選んでください" in refused.value.message
    assert not Request.objects.exists() and not OutboundMail.objects.exists()


def test_a_correction_stops_the_clock_until_the_answer(disclosure_request, clerk):
    services.ask_correction(
        request=disclosure_request, by=clerk, body="対象期間を教えてください。", today=date(2026, 7, 6)
    )
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.CORRECTION and disclosure_request.due_date is None
    asked = mails_to(disclosure_request.email)[-1]
    assert "対象期間を教えてください。" in asked.body_text and "補正" in asked.subject

    services.answer_correction(
        request=disclosure_request, by=disclosure_request.user, body="令和7年4月から", today=date(2026, 7, 10)
    )
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED
    assert disclosure_request.due_date == date(2026, 7, 21)  # 7/16 + 4 days = 7/20 (海の日) → 7/21
    assert [e.kind for e in disclosure_request.events.all()] == [
        EventKind.CORRECTION_ASKED,
        EventKind.CORRECTION_ANSWERED,
    ]


def test_extension_mails_the_reason_and_the_new_date(disclosure_request, clerk):
    services.extend(request=disclosure_request, by=clerk, days=30, reason="文書が大量のため")
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.EXTENDED and disclosure_request.due_date == date(2026, 8, 17)
    mail = mails_to(disclosure_request.email)[-1]
    assert "文書が大量のため" in mail.body_text and "2026年8月17日" in mail.body_text
    with pytest.raises(DisclosureError) as refused:
        services.extend(request=disclosure_request, by=clerk, days=1, reason="追加")
    assert refused.value.code == "extension_too_long"


def test_special_extension_needs_a_later_date_for_the_rest(disclosure_request, clerk):
    with pytest.raises(DisclosureError):
        services.special_extend(request=disclosure_request, by=clerk, reason="大量", remainder_due=date(2026, 8, 1))
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.RECEIVED and not disclosure_request.extensions.exists()
    services.special_extend(request=disclosure_request, by=clerk, reason="大量", remainder_due=date(2026, 10, 30))
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.SPECIAL_EXTENDED and disclosure_request.due_date == date(2026, 8, 17)


def test_decision_needs_the_article_unless_everything_is_disclosed(disclosure_request, clerk):
    with pytest.raises(DisclosureError):
        services.decide(request=disclosure_request, by=clerk, outcome=Status.PARTIAL, reason="")
    services.decide(request=disclosure_request, by=clerk, outcome=Status.PARTIAL, reason="条例第7条第2号（個人情報）")
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.PARTIAL
    mail = mails_to(disclosure_request.email)[-1]
    assert "部分開示" in mail.body_text and "条例第7条第2号" in mail.body_text
    services.implement(request=disclosure_request, by=clerk, fee=120)
    disclosure_request.refresh_from_db()
    assert disclosure_request.status == Status.IMPLEMENTED and disclosure_request.fee == 120


LEGAL = [
    (Status.RECEIVED, "ask_correction"),
    (Status.RECEIVED, "extend"),
    (Status.RECEIVED, "decide"),
    (Status.RECEIVED, "withdraw"),
    (Status.RECEIVED, "reject"),
    (Status.RECEIVED, "transfer"),
    (Status.CORRECTION, "withdraw"),
    (Status.CORRECTION, "reject"),
    (Status.EXTENDED, "decide"),
    (Status.SPECIAL_EXTENDED, "decide"),
    (Status.DISCLOSED, "implement"),
    (Status.PARTIAL, "implement"),
]
ILLEGAL = [
    (Status.CORRECTION, "decide"),
    (Status.CORRECTION, "extend"),
    (Status.RECEIVED, "implement"),
    (Status.NOT_DISCLOSED, "implement"),
    (Status.DISCLOSED, "decide"),
    (Status.DISCLOSED, "withdraw"),
    (Status.WITHDRAWN, "ask_correction"),
    (Status.REJECTED, "decide"),
    (Status.TRANSFERRED, "extend"),
    (Status.IMPLEMENTED, "implement"),
    (Status.SPECIAL_EXTENDED, "extend"),
    (Status.RECEIVED, "answer_correction"),
]


def _do(action, request, by):
    calls = {
        "ask_correction": lambda: services.ask_correction(request=request, by=by, body="補正してください"),
        "answer_correction": lambda: services.answer_correction(request=request, by=by, body="回答"),
        "extend": lambda: services.extend(request=request, by=by, days=10, reason="理由"),
        "decide": lambda: services.decide(request=request, by=by, outcome=Status.DISCLOSED),
        "withdraw": lambda: services.withdraw(request=request, by=by),
        "reject": lambda: services.reject(request=request, by=by, reason="補正なし"),
        "transfer": lambda: services.transfer(request=request, by=by, to="みどり県"),
        "implement": lambda: services.implement(request=request, by=by, fee=0),
    }
    return calls[action]()


@pytest.mark.parametrize(("status", "action"), LEGAL)
def test_legal_transitions(status, action, clerk):
    request = RequestFactory(status=status)
    if status == Status.CORRECTION:
        request.pauses.create(started_on=date(2026, 7, 3))
    _do(action, request, clerk)
    request.refresh_from_db()
    assert request.status != status
    assert request.events.count() == 1


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_are_refused_in_japanese_and_change_nothing(status, action, clerk):
    request = RequestFactory(status=status)
    if status == Status.CORRECTION:
        request.pauses.create(started_on=date(2026, 7, 3))
    with pytest.raises(DisclosureError) as refused:
        _do(action, request, clerk)
    assert refused.value.code == "illegal_transition"
    assert "できません" in refused.value.message
    request.refresh_from_db()
    assert request.status == status
    assert not request.events.exists() and not request.messages.exists() and not OutboundMail.objects.exists()


def test_a_closed_day_added_later_moves_open_requests(django_capture_on_commit_callbacks, clerk):
    open_request = RequestFactory()
    decided = RequestFactory(status=Status.DISCLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        ClosedDayFactory(date=date(2026, 7, 16))
    open_request.refresh_from_db()
    decided.refresh_from_db()
    assert open_request.due_date == date(2026, 7, 17)
    assert decided.due_date == date(2026, 7, 16)
    change = open_request.events.get()
    assert change.kind == EventKind.DUE_CHANGED and "2026-07-17" in change.note
    told = mails_to(open_request.email)
    assert len(told) == 1 and "2026年7月17日（金）" in told[0].body_text and "庁舎停電" not in told[0].subject
    assert not mails_to(decided.email)
    with django_capture_on_commit_callbacks(execute=True):
        open_request.pauses.none()
        from disclosure.models import ClosedDay

        ClosedDay.objects.all().delete()
    open_request.refresh_from_db()
    assert open_request.due_date == date(2026, 7, 16)


def test_staff_are_warned_once_before_the_due_date(clerk):
    request = RequestFactory()  # due 2026-07-16 (Thu)
    assert services.warn_due_soon(today=date(2026, 7, 10)) == 0  # more than 3 open days before
    assert services.warn_due_soon(today=date(2026, 7, 13)) == 1
    assert services.warn_due_soon(today=date(2026, 7, 14)) == 0  # once
    warnings = mails_to(clerk.email)
    assert len(warnings) == 1 and request.number in warnings[0].subject
    services.extend(request=request, by=clerk, days=10, reason="理由")  # a new due date may be warned about again
    assert services.warn_due_soon(today=date(2026, 7, 24)) == 1


def test_the_beat_task_is_named_and_scheduled_last(settings):
    from disclosure.tasks import warn_due_soon

    assert warn_due_soon.name == "disclosure.warn_due_soon"
    assert "disclosure.warn_due_soon" in [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
