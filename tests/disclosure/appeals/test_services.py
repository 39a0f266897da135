"""Appeals (審査請求): who may appeal until when, the steps filed → 諮問 → 答申 → 裁決, the history and the
mails. A refused step writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from disclosure.appeals import services
from disclosure.appeals.models import Appeal, AppealOutcome, AppealStatus
from disclosure.errors import DisclosureError
from disclosure.models import Event, EventKind, Status
from notifications.models import OutboundMail
from tests.disclosure.factories import RequestFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)


@pytest.fixture
def decided(db):
    """A request not disclosed on 2026-07-01 (the appeal period ends on 2026-10-01, a Thursday)."""
    return RequestFactory(status=Status.NOT_DISCLOSED, decided_on=date(2026, 7, 1), reason="条例第7条第2号")


def _snapshot(request):
    return (
        Appeal.objects.count(),
        Event.objects.filter(request=request).count(),
        OutboundMail.objects.count(),
        list(Appeal.objects.values_list("status", "referred_on", "report_on", "decided_on", "outcome")),
    )


def _file(request, **kwargs):
    args = {"filed_on": date(2026, 9, 1), "grounds": "非開示の理由に納得できません。", "today": TODAY, **kwargs}
    return services.file_appeal(request=request, by=None, **args)


def test_an_appeal_in_time_is_recorded_written_in_the_history_and_mailed(decided, clerk):
    appeal = services.file_appeal(
        request=decided, by=clerk, filed_on=date(2026, 10, 1), grounds="非開示の理由に納得できません。", today=TODAY
    )
    assert appeal.status == AppealStatus.FILED and appeal.late_reason == ""
    event = decided.events.get()
    assert event.kind == EventKind.APPEAL_FILED and event.actor == clerk and event.status == Status.NOT_DISCLOSED
    mail = OutboundMail.objects.get(to_email=decided.email)
    assert "審査請求を受け付けました" in mail.subject and "非開示の理由に納得できません。" in mail.body_text


def test_a_late_appeal_is_refused_with_the_last_day_and_nothing_is_written(decided):
    with pytest.raises(DisclosureError) as refused:
        _file(decided, filed_on=date(2026, 10, 2))
    assert refused.value.code == "appeal_too_late"
    assert "2026-10-01" in refused.value.message and "正当な理由" in refused.value.message
    assert _snapshot(decided) == (0, 0, 0, [])


def test_a_late_appeal_is_accepted_when_staff_give_a_justified_reason(decided):
    with pytest.raises(DisclosureError) as refused:
        _file(decided, filed_on=date(2026, 12, 1), justified=True, late_reason="  ")
    assert refused.value.code == "missing_text" and _snapshot(decided) == (0, 0, 0, [])
    appeal = _file(decided, filed_on=date(2026, 12, 1), justified=True, late_reason="災害で郵便が届かなかった")
    assert appeal.late_reason == "災害で郵便が届かなかった"


def test_a_justified_reason_is_not_kept_for_an_appeal_in_time(decided):
    assert _file(decided, justified=True, late_reason="念のため").late_reason == ""


@pytest.mark.parametrize(
    "status", [Status.RECEIVED, Status.CORRECTION, Status.EXTENDED, Status.WITHDRAWN, Status.TRANSFERRED]
)
def test_only_a_decided_request_can_be_appealed(status):
    request = RequestFactory(status=status)
    with pytest.raises(DisclosureError) as refused:
        _file(request)
    assert refused.value.code == "not_appealable" and "決定が出た請求" in refused.value.message
    assert _snapshot(request) == (0, 0, 0, [])


@pytest.mark.parametrize("status", [Status.DISCLOSED, Status.PARTIAL, Status.NEITHER, Status.IMPLEMENTED])
def test_every_decision_can_be_appealed_also_once_carried_out(status):
    request = RequestFactory(status=status, decided_on=date(2026, 7, 1))
    assert _file(request).request == request


@pytest.mark.parametrize(
    ("filed_on", "code"),
    [(date(2026, 6, 30), "date_too_early"), (date(2027, 3, 2), "date_in_future"), (None, "missing_date")],
)
def test_a_filing_date_before_the_decision_or_in_the_future_is_refused(decided, filed_on, code):
    with pytest.raises(DisclosureError) as refused:
        _file(decided, filed_on=filed_on)
    assert refused.value.code == code and _snapshot(decided) == (0, 0, 0, [])


def test_one_open_appeal_at_a_time(decided):
    appeal = _file(decided)
    with pytest.raises(DisclosureError) as refused:
        _file(decided, filed_on=date(2026, 9, 2))
    assert refused.value.code == "appeal_open"
    services.decide(
        appeal=appeal,
        by=None,
        outcome=AppealOutcome.DISMISSED,
        decided_on=date(2026, 9, 5),
        note="審査請求人に請求の利益がない",
        today=TODAY,
    )
    assert _file(decided, filed_on=date(2026, 9, 10)).status == AppealStatus.FILED


def test_the_whole_way_referral_report_ruling(decided, clerk):
    appeal = _file(decided)
    services.refer(appeal=appeal, by=clerk, referred_on=date(2026, 9, 10), today=TODAY)
    services.receive_report(appeal=appeal, by=clerk, report_on=date(2026, 12, 20), today=TODAY)
    services.decide(
        appeal=appeal,
        by=clerk,
        outcome=AppealOutcome.PARTLY_UPHELD,
        decided_on=date(2027, 1, 15),
        note="一部を開示する。",
        today=TODAY,
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.referred_on, appeal.report_on, appeal.decided_on, appeal.outcome) == (
        AppealStatus.DECIDED,
        date(2026, 9, 10),
        date(2026, 12, 20),
        date(2027, 1, 15),
        AppealOutcome.PARTLY_UPHELD,
    )
    assert [e.kind for e in decided.events.all()] == [
        EventKind.APPEAL_FILED,
        EventKind.APPEAL_REFERRED,
        EventKind.APPEAL_REPORTED,
        EventKind.APPEAL_DECIDED,
    ]
    subjects = [m.subject for m in OutboundMail.objects.filter(to_email=decided.email).order_by("pk")]
    assert len(subjects) == 4
    assert "情報公開審査会に諮問しました" in subjects[1] and "答申" in subjects[2] and "裁決しました" in subjects[3]
    ruling = OutboundMail.objects.filter(to_email=decided.email).order_by("pk").last()
    assert "一部認容" in ruling.body_text and "一部を開示する。" in ruling.body_text
    decided.refresh_from_db()
    assert decided.status == Status.NOT_DISCLOSED  # the ruling is recorded; a new decision is the staff's next step


def _appeal_in(status):
    request = RequestFactory(status=Status.PARTIAL, decided_on=date(2026, 7, 1), reason="条例第7条第2号")
    appeal = _file(request)
    if status in (AppealStatus.REFERRED, AppealStatus.REPORTED, AppealStatus.DECIDED):
        services.refer(appeal=appeal, by=None, referred_on=date(2026, 9, 10), today=TODAY)
    if status in (AppealStatus.REPORTED, AppealStatus.DECIDED):
        services.receive_report(appeal=appeal, by=None, report_on=date(2026, 12, 1), today=TODAY)
    if status == AppealStatus.DECIDED:
        services.decide(
            appeal=appeal,
            by=None,
            outcome=AppealOutcome.DENIED,
            decided_on=date(2026, 12, 10),
            note="原処分は妥当",
            today=TODAY,
        )
    return appeal


STEPS = {
    "refer": lambda a: services.refer(appeal=a, by=None, referred_on=date(2027, 1, 5), today=TODAY),
    "report": lambda a: services.receive_report(appeal=a, by=None, report_on=date(2027, 1, 5), today=TODAY),
    "decide": lambda a: services.decide(
        appeal=a, by=None, outcome=AppealOutcome.DENIED, decided_on=date(2027, 1, 5), note="理由", today=TODAY
    ),
}


@pytest.mark.parametrize(
    ("status", "step", "code"),
    [
        (AppealStatus.FILED, "report", "illegal_transition"),
        (AppealStatus.FILED, "decide", "report_needed"),  # 棄却 needs the council's report
        (AppealStatus.REFERRED, "refer", "illegal_transition"),
        (AppealStatus.REFERRED, "decide", "illegal_transition"),
        (AppealStatus.REPORTED, "refer", "illegal_transition"),
        (AppealStatus.REPORTED, "report", "illegal_transition"),
        (AppealStatus.DECIDED, "refer", "illegal_transition"),
        (AppealStatus.DECIDED, "report", "illegal_transition"),
        (AppealStatus.DECIDED, "decide", "illegal_transition"),
    ],
)
def test_illegal_steps_are_refused_and_write_nothing(status, step, code):
    appeal = _appeal_in(status)
    before = _snapshot(appeal.request)
    with pytest.raises(DisclosureError) as refused:
        STEPS[step](appeal)
    assert refused.value.code == code
    assert _snapshot(appeal.request) == before
    if code == "illegal_transition":
        assert "この操作はできません" in refused.value.message


@pytest.mark.parametrize("outcome", [AppealOutcome.UPHELD, AppealOutcome.DISMISSED])
def test_without_a_report_the_town_may_only_uphold_or_dismiss(outcome):
    appeal = _appeal_in(AppealStatus.FILED)
    services.decide(appeal=appeal, by=None, outcome=outcome, decided_on=date(2026, 9, 5), note="理由", today=TODAY)
    assert appeal.status == AppealStatus.DECIDED and appeal.outcome == outcome


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"outcome": "maybe"}, "bad_outcome"),
        ({"note": ""}, "missing_text"),  # 棄却 needs its reasons
        ({"decided_on": date(2026, 11, 30)}, "date_too_early"),  # before the report (12/1)
    ],
)
def test_a_ruling_with_bad_input_is_refused_and_writes_nothing(change, code):
    appeal = _appeal_in(AppealStatus.REPORTED)
    before = _snapshot(appeal.request)
    args = {"outcome": AppealOutcome.DENIED, "decided_on": date(2026, 12, 10), "note": "原処分は妥当", **change}
    with pytest.raises(DisclosureError) as refused:
        services.decide(appeal=appeal, by=None, today=TODAY, **args)
    assert refused.value.code == code and _snapshot(appeal.request) == before


def test_an_upheld_appeal_needs_no_reasons():
    appeal = _appeal_in(AppealStatus.REPORTED)
    services.decide(appeal=appeal, by=None, outcome=AppealOutcome.UPHELD, decided_on=date(2026, 12, 10), today=TODAY)
    assert appeal.outcome == AppealOutcome.UPHELD and appeal.note == ""


def test_the_referral_cannot_come_before_the_filing():
    appeal = _appeal_in(AppealStatus.FILED)
    with pytest.raises(DisclosureError) as refused:
        services.refer(appeal=appeal, by=None, referred_on=date(2026, 8, 31), today=TODAY)
    assert refused.value.code == "date_too_early" and "2026-09-01" in refused.value.message
