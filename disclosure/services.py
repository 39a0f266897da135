"""Writes of disclosure requests: keyword-only, one transaction, the rule in the docstring.

The state machine (``TRANSITIONS``): a request is received (受付); the town may ask for a
correction (補正依頼: the clock stops until the answer), extend the deadline (延長, up to 30 days in
all) or use the special extension (特例延長), and then decides: 全部開示 / 部分開示 / 非開示 /
不存在 / 存否応答拒否, with the ordinance article as the reason for anything but full disclosure.
Open requests may also be withdrawn (取下げ), dismissed (却下) or transferred (移送). A disclosure
(全部・部分開示) is then carried out (実施) with its fee. Anything else raises
:class:`~disclosure.errors.DisclosureError` before anything is written.

Every change writes an :class:`~disclosure.models.Event`, recomputes the cached due date and mails
the requester through the outbox.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure import deadlines, selectors
from disclosure.errors import DisclosureError
from disclosure.fees import selectors as fee_selectors
from disclosure.models import (
    DECISIONS,
    OPEN_STATUSES,
    RELEASING,
    EventKind,
    Extension,
    Message,
    MessageKind,
    Pause,
    PreferredForm,
    ReceiptCounter,
    ReleasedFile,
    Request,
    RequesterType,
    Status,
)
from disclosure.models import Event as EventRow
from notifications.services import queue_templated_mail

S = Status
#: action → the statuses it may start from.
TRANSITIONS: dict[str, tuple[Status, ...]] = {
    "ask_correction": (S.RECEIVED, S.EXTENDED, S.SPECIAL_EXTENDED),
    "answer_correction": (S.CORRECTION,),
    "extend": (S.RECEIVED, S.EXTENDED),
    "special_extend": (S.RECEIVED, S.EXTENDED),
    "decide": (S.RECEIVED, S.EXTENDED, S.SPECIAL_EXTENDED),
    "withdraw": OPEN_STATUSES,
    "reject": OPEN_STATUSES,
    "transfer": (S.RECEIVED, S.EXTENDED),
    "implement": RELEASING,
}

MAX_TEXT = 4000


def allowed_actions(request: Request) -> list[str]:
    """The actions the request's status allows now (the staff page shows only these)."""
    return [action for action, sources in TRANSITIONS.items() if request.status in sources]


def _check(request: Request, action: str) -> None:
    if request.status not in TRANSITIONS[action]:
        raise DisclosureError(
            _("This cannot be done while the request is “%(status)s”.") % {"status": request.get_status_display()},
            code="illegal_transition",
        )


def _lock(request: Request) -> Request:
    """Re-read the request under a row lock, so two staff members cannot move it at once."""
    locked = Request.objects.select_for_update().get(pk=request.pk)
    request.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return request


#: Bidirectional overrides and isolates: invisible, they make a text read differently than it is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_control_characters(value: str) -> bool:
    """True when the text holds a control character other than tab and line breaks (NUL, ESC, bidi overrides …):
    nobody types them, and they corrupt mails, CSV exports and printed letters."""
    return any((unicodedata.category(ch) == "Cc" and ch not in "\t\n\r") or ch in _BIDI_CONTROLS for ch in value or "")


def _text(value: str, what: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DisclosureError(_("Please write the %(what)s.") % {"what": what}, code="missing_text")
    if len(value) > max_length:
        raise DisclosureError(
            _("The %(what)s is too long (at most %(max)s characters).") % {"what": what, "max": f"{max_length:,}"},
            code="too_long",
        )
    if has_control_characters(value):
        raise DisclosureError(
            _("The %(what)s contains control characters that cannot be used. Please remove them.") % {"what": what},
            code="control_characters",
        )
    return value


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _refresh_due(request: Request) -> deadlines.Deadline:
    """Recompute and store the cached due date (``None`` while the clock is stopped or after the decision)."""
    deadline = selectors.deadline_for(request)
    request.due_date = deadline.due if request.status in OPEN_STATUSES else request.due_date
    if request.status == Status.CORRECTION:
        request.due_date = None
    return deadline


def _event(request: Request, kind: EventKind, *, by=None, note: str = "") -> EventRow:
    return EventRow.objects.create(request=request, kind=kind, status=request.status, actor=by, note=note)


def request_url(request: Request) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:disclosure_request", args=[request.pk])


def _mail_requester(request: Request, event: EventRow, headline, *, body: str = "") -> None:
    """Tell the requester what happened, with the due date and how it was computed."""
    deadline = selectors.deadline_for(request)
    queue_templated_mail(
        template="disclosure_update",
        context={
            "request": request,
            "headline": headline,
            "body": body,
            "deadline": deadline,
            "show_deadline": request.status in OPEN_STATUSES,
            "url": request_url(request),
        },
        to_email=request.email,
        recipient=request.user,
        idempotency_key=f"disclosure-event-{event.pk}-requester",
        category="disclosure",
    )


def _mail_staff(request: Request, key: str, headline, *, body: str = "") -> int:
    """Tell the 情報公開 staff (once per ``key``); returns how many mails were queued."""
    staff = selectors.staff_recipients()
    url = settings.SITE_URL.rstrip("/") + reverse("disclosure_requests:inspect", args=[request.pk])
    for member in staff:
        queue_templated_mail(
            template="disclosure_staff",
            context={"request": request, "headline": headline, "body": body, "url": url},
            to_email=member.email,
            recipient=member,
            idempotency_key=f"disclosure-{key}-staff-{member.pk}",
            category="disclosure_staff",
        )
    return len(staff)


# --- Filing -------------------------------------------------------------------------------
def _next_number(year: int) -> tuple[int, str]:
    ReceiptCounter.objects.get_or_create(year=year)
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"R{year}-{counter.last:04d}"


@transaction.atomic
def file_request(
    *,
    user,
    requester_type: str,
    name: str,
    address: str,
    email: str,
    document: str,
    preferred_form: str,
    representative: str = "",
    phone: str = "",
    purpose: str = "",
    today: date | None = None,
    submission_token: uuid.UUID | None = None,
) -> Request:
    """File a request online: it gets the next receipt number of the year (R2026-0001 …), its due date,
    and the requester a receipt mail; the 情報公開 staff are told.

    The same form sent twice (``submission_token``: a double click, a reload after a slow answer)
    files one request: the second sending returns the first request, and nothing more is written
    or mailed. A token of someone else's form is refused.
    """
    if submission_token is not None and (done := _filed_with(submission_token, user)) is not None:
        return done
    received = _today(today)
    document = _text(document, _("title or content of the documents"))
    name = _text(name, _("name"), max_length=200)
    address = _text(address, _("address"), max_length=300)
    representative = _text(representative, _("representative"), required=False, max_length=200)
    phone = _text(phone, _("phone"), required=False, max_length=30)
    if not (email or "").strip():
        raise DisclosureError(_("Please give an email address we can answer to."), code="missing_email")
    email = _text(email, _("email"), max_length=254)
    if requester_type not in RequesterType.values or preferred_form not in PreferredForm.values:
        raise DisclosureError(_("Choose one of the options offered."), code="bad_choice")
    try:
        with transaction.atomic():  # a savepoint: the receipt number is not used up by a duplicate
            request = _insert_request(
                user=user,
                received=received,
                submission_token=submission_token,
                requester_type=requester_type,
                name=name,
                representative=representative,
                address=address,
                email=email,
                phone=phone,
                document=document,
                preferred_form=preferred_form,
                purpose=_text(purpose, _("purpose"), required=False),
            )
    except IntegrityError:
        # The same form sent twice at once: the other sending committed first (the receipt counter's
        # row lock made this one wait), so its request is the answer.
        if submission_token is not None and (done := _filed_with(submission_token, user)) is not None:
            return done
        raise
    _refresh_due(request)
    request.save(update_fields=["due_date"])
    event = _event(request, EventKind.FILED, by=user)
    _mail_requester(request, event, gettext_lazy("We have received your disclosure request."), body=request.document)
    _mail_staff(request, f"filed-{request.pk}", gettext_lazy("A new disclosure request"), body=request.document)
    return request


def _filed_with(token: uuid.UUID, user) -> Request | None:
    """The request an earlier sending of the same form filed, if any; someone else's token is refused."""
    done = Request.objects.filter(submission_token=token).first()
    if done is not None and done.user_id != getattr(user, "pk", None):
        raise DisclosureError(_("This form has expired. Please open the request form again."), code="foreign_token")
    return done


def _insert_request(*, received: date, **fields) -> Request:
    seq, number = _next_number(received.year)
    request = Request(number=number, year=received.year, seq=seq, received_on=received, **fields)
    request.save()
    return request


# --- Corrections and messages ---------------------------------------------------------------
@transaction.atomic
def ask_correction(*, request: Request, by, body: str, today: date | None = None) -> Message:
    """Ask the requester to correct or complete the request (補正依頼). The clock stops until they answer."""
    _lock(request)
    _check(request, "ask_correction")
    body = _text(body, _("message"))
    Pause.objects.create(request=request, started_on=_today(today))
    message = Message.objects.create(
        request=request, kind=MessageKind.CORRECTION, author=by, from_staff=True, body=body
    )
    request.status = Status.CORRECTION
    _refresh_due(request)
    request.save(update_fields=["status", "due_date"])
    event = _event(request, EventKind.CORRECTION_ASKED, by=by)
    _mail_requester(request, event, gettext_lazy("We ask you to correct your disclosure request."), body=body)
    return message


@transaction.atomic
def answer_correction(
    *, request: Request, by, body: str, from_staff: bool = False, today: date | None = None
) -> Message:
    """The requester answers the correction (or staff record an answer given at the counter); the clock runs again."""
    _lock(request)
    _check(request, "answer_correction")
    body = _text(body, _("message"))
    pause = request.pauses.get(ended_on__isnull=True)
    pause.ended_on = max(_today(today), pause.started_on)
    pause.save(update_fields=["ended_on"])
    message = Message.objects.create(
        request=request, kind=MessageKind.ANSWER, author=by, from_staff=from_staff, body=body
    )
    request.status = Status.EXTENDED if request.extensions.filter(special=False).exists() else Status.RECEIVED
    if request.extensions.filter(special=True).exists():
        request.status = Status.SPECIAL_EXTENDED
    _refresh_due(request)
    request.save(update_fields=["status", "due_date"])
    event = _event(request, EventKind.CORRECTION_ANSWERED, by=by)
    _mail_requester(request, event, gettext_lazy("Your correction has been received; the deadline runs again."))
    _mail_staff(request, f"answer-{message.pk}", gettext_lazy("The requester answered the correction"), body=body)
    return message


@transaction.atomic
def post_message(*, request: Request, by, body: str, from_staff: bool, internal: bool = False) -> Message:
    """A message on the request. The requester's reaches the staff, the staff's reaches the requester by
    mail too; an internal note (staff only) is mailed to nobody and never shown to the requester."""
    body = _text(body, _("message"))
    if internal and not from_staff:
        raise DisclosureError(_("Only staff can write internal notes."), code="note_not_staff")
    if request.status == Status.CORRECTION and not from_staff:
        # A message while a correction is asked *is* the answer: it restarts the clock.
        return answer_correction(request=request, by=by, body=body)
    message = Message.objects.create(
        request=request,
        kind=MessageKind.NOTE if internal else MessageKind.MESSAGE,
        author=by,
        from_staff=from_staff,
        internal=internal,
        body=body,
    )
    if internal:
        return message
    if from_staff:
        queue_templated_mail(
            template="disclosure_update",
            context={
                "request": request,
                "headline": gettext_lazy("A message about your disclosure request."),
                "body": body,
                "show_deadline": False,
                "url": request_url(request),
            },
            to_email=request.email,
            recipient=request.user,
            idempotency_key=f"disclosure-message-{message.pk}",
            category="disclosure",
        )
    else:
        _mail_staff(request, f"message-{message.pk}", gettext_lazy("A message from the requester"), body=body)
    return message


# --- Deadlines ------------------------------------------------------------------------------
@transaction.atomic
def extend(*, request: Request, by, days: int, reason: str) -> Request:
    """Extend the deadline (延長) by ``days``; all extensions together stay within the ordinance's 30 days.
    The requester is mailed the reason and the new date."""
    _lock(request)
    _check(request, "extend")
    reason = _text(reason, _("reason"))
    ordinance = selectors.current_ordinance()
    used = sum(request.extensions.filter(special=False).values_list("days", flat=True))
    if days < 1 or used + days > ordinance.max_extension_days:
        raise DisclosureError(
            _("An extension can add at most %(max)s days in all (%(left)s left).")
            % {"max": ordinance.max_extension_days, "left": ordinance.max_extension_days - used},
            code="extension_too_long",
        )
    Extension.objects.create(request=request, days=days, reason=reason)
    request.status = Status.EXTENDED
    _refresh_due(request)
    request.save(update_fields=["status", "due_date"])
    event = _event(request, EventKind.EXTENDED, by=by, note=reason)
    _mail_requester(
        request, event, gettext_lazy("The deadline of your disclosure request has been extended."), body=reason
    )
    return request


@transaction.atomic
def special_extend(*, request: Request, by, reason: str, remainder_due: date, today: date | None = None) -> Request:
    """The special extension (特例延長) for very many documents: a substantial part is decided within
    the extended period, the rest by ``remainder_due``, which must come after it."""
    _lock(request)
    _check(request, "special_extend")
    reason = _text(reason, _("reason"))
    probe = selectors.deadline_for(request, extra=(deadlines.Extension(special=True, remainder_due=remainder_due),))
    if remainder_due is None or probe.due is None or remainder_due <= probe.due:
        raise DisclosureError(
            _("The date for the rest must come after %(date)s.") % {"date": probe.due or "-"},
            code="remainder_too_early",
        )
    Extension.objects.create(request=request, special=True, reason=reason, remainder_due=remainder_due)
    request.status = Status.SPECIAL_EXTENDED
    _refresh_due(request)
    request.save(update_fields=["status", "due_date"])
    event = _event(request, EventKind.SPECIAL_EXTENDED, by=by, note=reason)
    _mail_requester(
        request, event, gettext_lazy("The special extension applies to your disclosure request."), body=reason
    )
    return request


def recompute_open_due_dates() -> int:
    """Recompute the due dates of all open requests (after a closed day was added or removed).

    Returns how many changed; each change is written in the request's history and mailed to the
    requester with the new date and how it was counted.
    """
    changed = 0
    ordinance = selectors.current_ordinance()
    with transaction.atomic():
        for request in (
            selectors.open_requests().prefetch_related("pauses", "extensions").select_for_update(of=("self",))
        ):
            deadline = selectors.deadline_for(request, ordinance=ordinance)
            due = None if request.status == Status.CORRECTION else deadline.due
            if due != request.due_date:
                old = request.due_date
                request.due_date = due
                request.save(update_fields=["due_date"])
                event = _event(request, EventKind.DUE_CHANGED, note=f"{old} → {due}")
                _mail_requester(request, event, gettext_lazy("The due date of your disclosure request has changed."))
                changed += 1
    return changed


# --- Decisions and the end of a request -------------------------------------------------------
def _released_note(outcome: str, files):
    """The decision mail's line about downloads, when the decision leaves the requester something to fetch."""
    kinds = set(files.values_list("kind", flat=True))
    if ReleasedFile.Kind.LETTER in kinds or (outcome in RELEASING and ReleasedFile.Kind.DOCUMENT in kinds):
        return gettext_lazy("The decision letter and the released files can be downloaded from your request page.")
    return ""


@transaction.atomic
def decide(*, request: Request, by, outcome: str, reason: str = "", today: date | None = None) -> Request:
    """Decide (決定). Anything but full disclosure needs its reason: the ordinance article it rests on.

    A partial disclosure releases only redacted documents. The mail says when files can be downloaded."""
    _lock(request)
    _check(request, "decide")
    if outcome not in DECISIONS:
        raise DisclosureError(_("Choose one of the decisions."), code="bad_outcome")
    reason = _text(reason, _("reason (ordinance article)"), required=outcome != Status.DISCLOSED)
    files = request.released_files.all()
    if outcome == Status.PARTIAL and files.filter(kind=ReleasedFile.Kind.DOCUMENT, redacted=False).exists():
        raise DisclosureError(
            _(
                "For a partial disclosure, documents are released through the redaction tool. "
                "Remove the unredacted ones."
            ),
            code="needs_redaction",
        )
    request.status = outcome
    request.reason = reason
    request.decided_on = _today(today)
    request.save(update_fields=["status", "reason", "decided_on"])
    event = _event(request, EventKind.DECIDED, by=by, note=reason)
    parts = [part for part in (Status(outcome).label, reason, _released_note(outcome, files)) if part]
    _mail_requester(
        request,
        event,
        gettext_lazy("A decision has been made on your disclosure request."),
        # Lazy parts: the mail is rendered in the requester's language, not the clerk's.
        body=format_lazy("\n".join("{}" for _part in parts), *parts),
    )
    return request


@transaction.atomic
def withdraw(*, request: Request, by, reason: str = "") -> Request:
    """The requester withdraws the request (取下げ), online or at the counter, while it is open."""
    _lock(request)
    _check(request, "withdraw")
    reason = _text(reason, _("reason"), required=False)
    request.status = Status.WITHDRAWN
    request.due_date = None
    request.save(update_fields=["status", "due_date"])
    event = _event(request, EventKind.WITHDRAWN, by=by, note=reason)
    _mail_requester(request, event, gettext_lazy("Your disclosure request has been withdrawn."))
    return request


@transaction.atomic
def reject(*, request: Request, by, reason: str) -> Request:
    """Dismiss the request (却下), e.g. when a correction was never made; the reason is mailed."""
    _lock(request)
    _check(request, "reject")
    reason = _text(reason, _("reason"))
    request.status = Status.REJECTED
    request.reason = reason
    request.due_date = None
    request.decided_on = timezone.localdate()
    request.save(update_fields=["status", "reason", "due_date", "decided_on"])
    event = _event(request, EventKind.REJECTED, by=by, note=reason)
    _mail_requester(request, event, gettext_lazy("Your disclosure request has been dismissed."), body=reason)
    return request


@transaction.atomic
def transfer(*, request: Request, by, to: str, reason: str = "") -> Request:
    """Transfer the request to the body that holds the documents (移送); the requester is told where."""
    _lock(request)
    _check(request, "transfer")
    to = _text(to, _("body the request is transferred to"))
    reason = _text(reason, _("reason"), required=False)
    request.status = Status.TRANSFERRED
    request.transferred_to = to
    request.reason = reason
    request.due_date = None
    request.save(update_fields=["status", "transferred_to", "reason", "due_date"])
    event = _event(request, EventKind.TRANSFERRED, by=by, note=to)
    _mail_requester(request, event, gettext_lazy("Your disclosure request has been transferred."), body=to)
    return request


@transaction.atomic
def implement(*, request: Request, by, fee: int | None = None, note: str = "", today: date | None = None) -> Request:
    """Record that the disclosure was carried out (実施: viewing or release of copies) and its fee.

    When the request has an invoice (``disclosure.fees``), the fee is the invoice's total, and copies
    or data are handed over only once it is paid: an unpaid invoice refuses 実施. ``fee``, if given,
    must then be that total. Without an invoice the fee is the one given (0 for viewing, which is free).
    """
    _lock(request)
    _check(request, "implement")
    invoice = fee_selectors.live_invoice(request)
    if invoice is not None:
        if not invoice.is_paid and invoice.total > 0:
            raise DisclosureError(
                _(
                    "The invoice %(number)s (%(total)s yen) has not been paid yet. "
                    "Record the payment first, then the disclosure can be carried out."
                )
                % {"number": invoice.number, "total": f"{invoice.total:,}"},
                code="invoice_unpaid",
            )
        if fee is not None and fee != invoice.total:
            raise DisclosureError(
                _("The fee is the total of the invoice %(number)s: %(total)s yen.")
                % {"number": invoice.number, "total": f"{invoice.total:,}"},
                code="fee_not_invoiced",
            )
        fee = invoice.total
    elif fee is None and request.preferred_form == PreferredForm.VIEWING:
        fee = 0
    if fee is None or fee < 0:
        raise DisclosureError(_("The fee must be zero or more yen."), code="bad_fee")
    note = _text(note, _("note"), required=False)
    request.status = Status.IMPLEMENTED
    request.fee = fee
    request.implemented_on = _today(today)
    request.save(update_fields=["status", "fee", "implemented_on"])
    event = _event(request, EventKind.IMPLEMENTED, by=by, note=note)
    _mail_requester(
        request, event, gettext_lazy("The disclosure has been carried out."), body=_("Fee: %(fee)s yen") % {"fee": fee}
    )
    return request


# --- The department in charge ---------------------------------------------------------------
@transaction.atomic
def set_department(*, request: Request, by, department: str) -> Request:
    """Set or change the department in charge (担当課) of the request, in any status; the statistics
    count by it. The change is a line in the history; nobody is mailed."""
    _lock(request)
    department = " ".join((department or "").split())
    if not department:
        raise DisclosureError(_("Please write the department in charge."), code="missing_text")
    if len(department) > Request._meta.get_field("department").max_length:
        raise DisclosureError(_("The department's name is too long."), code="too_long")
    if department == request.department:
        return request
    old = request.department
    request.department = department
    request.save(update_fields=["department"])
    _event(request, EventKind.DEPARTMENT, by=by, note=f"{old} → {department}" if old else department)
    return request


# --- Warnings ---------------------------------------------------------------------------------
def warn_due_soon(*, today: date | None = None, business_days: int | None = None) -> int:
    """Mail the 情報公開 staff about each open request due within ``business_days`` open days (or overdue).

    Once per request and due date: a request warned about is not warned again unless its due date
    moves (an extension, a closed day). Returns how many requests were warned about.
    """
    from disclosure.ordinance import WARN_BUSINESS_DAYS

    today = _today(today)
    days = WARN_BUSINESS_DAYS if business_days is None else business_days
    ordinance = selectors.current_ordinance()
    warned = 0
    candidates = selectors.open_requests().filter(due_date__isnull=False).exclude(status=Status.CORRECTION)
    for request_id, due in candidates.values_list("pk", "due_date"):
        if deadlines.business_days_before(due, days, ordinance) > today:
            continue
        with transaction.atomic():
            request = Request.objects.select_for_update().get(pk=request_id)
            if request.warned_due == request.due_date or request.status not in OPEN_STATUSES:
                continue
            request.warned_due = request.due_date
            request.save(update_fields=["warned_due"])
            headline = (
                gettext_lazy("A disclosure request is overdue")
                if request.due_date < today
                else gettext_lazy("A disclosure request is due soon")
            )
            _mail_staff(request, f"due-{request.pk}-{request.due_date:%Y%m%d}", headline)
            warned += 1
    return warned
