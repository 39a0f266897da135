"""Writes of appeals (審査請求): keyword-only, one transaction, the rule in the docstring.

An appeal goes filed (受付) → referred to the 情報公開審査会 (諮問) → report received (答申) →
decided (裁決: 認容 / 一部認容 / 棄却 / 却下). The town may rule without asking the council only to
dismiss an unlawful appeal (却下) or to uphold it in full (認容), as the ordinance allows. Anything
else raises :class:`~disclosure.errors.DisclosureError` before anything is written. Every step
writes an ``Event`` on the request and mails the requester through the outbox.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure import selectors
from disclosure.appeals.models import Appeal, AppealOutcome, AppealStatus
from disclosure.appeals.rules import appeal_deadline
from disclosure.errors import DisclosureError
from disclosure.models import DECISIONS, EventKind, Request, Status
from disclosure.services import _event, _lock, _mail_requester, _text, _today

#: A request may be appealed once the town decided on it (決定), also after the disclosure was carried out.
APPEALABLE = (*DECISIONS, Status.IMPLEMENTED)

A = AppealStatus
#: action → the appeal statuses it may start from.
TRANSITIONS: dict[str, tuple[AppealStatus, ...]] = {
    "refer": (A.FILED,),
    "report": (A.REFERRED,),
    "decide": (A.FILED, A.REPORTED),
}
#: The rulings the town may make without the review council's report.
WITHOUT_COUNCIL = (AppealOutcome.UPHELD, AppealOutcome.DISMISSED)


def can_appeal(request: Request) -> bool:
    """A request can be appealed when it has a decision and no appeal on it is still open."""
    return (
        request.status in APPEALABLE
        and request.decided_on is not None
        and not any(appeal.is_open for appeal in request.appeals.all())
    )


def allowed_actions(appeal: Appeal) -> list[str]:
    """The steps the appeal's status allows now (the staff page shows only these)."""
    return [action for action, sources in TRANSITIONS.items() if appeal.status in sources]


def _check(appeal: Appeal, action: str) -> None:
    if appeal.status not in TRANSITIONS[action]:
        raise DisclosureError(
            _("This cannot be done while the appeal is “%(status)s”.") % {"status": appeal.get_status_display()},
            code="illegal_transition",
        )


def _lock_appeal(appeal: Appeal) -> Appeal:
    """Lock the request, then re-read the appeal: steps on one request never run at once."""
    _lock(appeal.request)
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    appeal.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return appeal


def _check_date(day: date | None, *, after: date | None, today: date | None) -> date:
    """A step's date: not in the future, not before the step it follows."""
    if day is None:
        raise DisclosureError(_("Please give the date."), code="missing_date")
    if day > _today(today):
        raise DisclosureError(_("The date cannot be in the future."), code="date_in_future")
    if after is not None and day < after:
        raise DisclosureError(
            _("The date cannot be before %(date)s.") % {"date": after.strftime("%Y-%m-%d")}, code="date_too_early"
        )
    return day


@transaction.atomic
def file_appeal(
    *,
    request: Request,
    by,
    filed_on: date,
    grounds: str,
    justified: bool = False,
    late_reason: str = "",
    today: date | None = None,
) -> Appeal:
    """Record an appeal (審査請求) against the decision on ``request``.

    Only a decided request can be appealed, one open appeal at a time. The appeal must be filed
    within three months from the day after the decision (:func:`~disclosure.appeals.rules.appeal_deadline`);
    a later appeal is accepted only when staff tick that there is a justified reason (正当な理由)
    and write it down.
    """
    _lock(request)
    if request.status not in APPEALABLE or request.decided_on is None:
        raise DisclosureError(_("Only a request on which a decision was made can be appealed."), code="not_appealable")
    if request.appeals.exclude(status=AppealStatus.DECIDED).exists():
        raise DisclosureError(_("An appeal on this request is still under review."), code="appeal_open")
    filed_on = _check_date(filed_on, after=request.decided_on, today=today)
    grounds = _text(grounds, _("grounds of the appeal"))
    deadline = appeal_deadline(request.decided_on, ordinance=selectors.current_ordinance())
    late_reason = (late_reason or "").strip()
    if filed_on <= deadline:
        late_reason = ""
    elif not justified:
        raise DisclosureError(
            _(
                "The period for an appeal ended on %(date)s (three months from the day after the decision). "
                "A later appeal can be accepted only for a justified reason."
            )
            % {"date": deadline.strftime("%Y-%m-%d")},
            code="appeal_too_late",
        )
    else:
        late_reason = _text(late_reason, _("justified reason for filing late"))
    appeal = Appeal.objects.create(
        request=request, filed_on=filed_on, grounds=grounds, late_reason=late_reason, created_by=by
    )
    event = _event(request, EventKind.APPEAL_FILED, by=by, note=grounds)
    _mail_requester(request, event, gettext_lazy("Your appeal (審査請求) has been received."), body=grounds)
    return appeal


@transaction.atomic
def refer(*, appeal: Appeal, by, referred_on: date, today: date | None = None) -> Appeal:
    """Refer the appeal to the information disclosure review council (情報公開審査会への諮問)."""
    _lock_appeal(appeal)
    _check(appeal, "refer")
    appeal.referred_on = _check_date(referred_on, after=appeal.filed_on, today=today)
    appeal.status = AppealStatus.REFERRED
    appeal.save(update_fields=["referred_on", "status"])
    event = _event(appeal.request, EventKind.APPEAL_REFERRED, by=by)
    headline = gettext_lazy("Your appeal has been referred to the information disclosure review council.")
    _mail_requester(appeal.request, event, headline)
    return appeal


@transaction.atomic
def receive_report(*, appeal: Appeal, by, report_on: date, today: date | None = None) -> Appeal:
    """Record the review council's report (答申); the ruling follows it."""
    _lock_appeal(appeal)
    _check(appeal, "report")
    appeal.report_on = _check_date(report_on, after=appeal.referred_on, today=today)
    appeal.status = AppealStatus.REPORTED
    appeal.save(update_fields=["report_on", "status"])
    event = _event(appeal.request, EventKind.APPEAL_REPORTED, by=by)
    _mail_requester(
        appeal.request, event, gettext_lazy("The review council has reported on your appeal; the ruling follows.")
    )
    return appeal


@transaction.atomic
def decide(*, appeal: Appeal, by, outcome: str, decided_on: date, note: str = "", today: date | None = None) -> Appeal:
    """Rule on the appeal (裁決): 認容 / 一部認容 / 棄却 / 却下, after the council's report.

    Without a report the town may only dismiss an unlawful appeal (却下) or uphold it in full (認容).
    Anything but 認容 needs its reasons in the note.
    """
    _lock_appeal(appeal)
    _check(appeal, "decide")
    if outcome not in AppealOutcome.values:
        raise DisclosureError(_("Choose one of the outcomes."), code="bad_outcome")
    if appeal.status == AppealStatus.FILED and outcome not in WITHOUT_COUNCIL:
        raise DisclosureError(
            _("Before the review council's report the appeal can only be upheld or dismissed."),
            code="report_needed",
        )
    appeal.decided_on = _check_date(decided_on, after=appeal.report_on or appeal.filed_on, today=today)
    appeal.note = _text(note, _("reasons of the ruling"), required=outcome != AppealOutcome.UPHELD)
    appeal.outcome = outcome
    appeal.status = AppealStatus.DECIDED
    appeal.save(update_fields=["decided_on", "note", "outcome", "status"])
    event = _event(appeal.request, EventKind.APPEAL_DECIDED, by=by, note=appeal.get_outcome_display())
    _mail_requester(
        appeal.request,
        event,
        gettext_lazy("A ruling has been made on your appeal."),
        body=f"{appeal.get_outcome_display()}\n{appeal.note}".strip(),
    )
    return appeal
