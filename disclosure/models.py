"""Disclosure requests (公文書開示請求) and what happens to them.

A :class:`Request` is filed by a resident and followed to its decision. Its due date is cached on
the row (``due_date``) and recomputed by the services from the deadline engine
(``disclosure.deadlines``) whenever a pause, an extension or a closed day changes it. Every change
is an :class:`Event` (the history both sides see); messages between the requester and the staff
are :class:`Message` rows, internal staff notes among them (``internal``) never shown to the
requester.

The request is the town's administrative record: deleting the resident's account keeps it (the
requester's name and contact are on the request itself) and only cuts the link to the account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("disclosure status", "Received")
    CORRECTION = "correction", pgettext_lazy("disclosure status", "Correction requested")
    EXTENDED = "extended", pgettext_lazy("disclosure status", "Extended")
    SPECIAL_EXTENDED = "special_extended", pgettext_lazy("disclosure status", "Special extension")
    DISCLOSED = "disclosed", pgettext_lazy("disclosure status", "Disclosed in full")
    PARTIAL = "partial", pgettext_lazy("disclosure status", "Disclosed in part")
    NOT_DISCLOSED = "not_disclosed", pgettext_lazy("disclosure status", "Not disclosed")
    NONEXISTENT = "nonexistent", pgettext_lazy("disclosure status", "Document does not exist")
    NEITHER = "neither", pgettext_lazy("disclosure status", "Neither confirmed nor denied")
    WITHDRAWN = "withdrawn", pgettext_lazy("disclosure status", "Withdrawn")
    REJECTED = "rejected", pgettext_lazy("disclosure status", "Dismissed")
    TRANSFERRED = "transferred", pgettext_lazy("disclosure status", "Transferred")
    IMPLEMENTED = "implemented", pgettext_lazy("disclosure status", "Disclosure carried out")


#: The town still owes a decision: the deadline runs (or is stopped by a correction).
OPEN_STATUSES = (Status.RECEIVED, Status.CORRECTION, Status.EXTENDED, Status.SPECIAL_EXTENDED)
#: The decisions (決定) and whether they release documents.
DECISIONS = (Status.DISCLOSED, Status.PARTIAL, Status.NOT_DISCLOSED, Status.NONEXISTENT, Status.NEITHER)
RELEASING = (Status.DISCLOSED, Status.PARTIAL)


class RequesterType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation or company")


class PreferredForm(models.TextChoices):
    VIEWING = "viewing", _("Viewing (閲覧)")
    COPY = "copy", _("Paper copies (写しの交付)")
    ELECTRONIC = "electronic", _("Electronic data (電子データ)")


class Request(models.Model):
    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    year = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="disclosure_requests"
    )
    requester_type = models.CharField(_("requester"), max_length=20, choices=RequesterType.choices)
    name = models.CharField(_("name (or name of the organisation)"), max_length=200)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    document = models.TextField(_("title or content of the documents"))
    preferred_form = models.CharField(_("preferred form of disclosure"), max_length=20, choices=PreferredForm.choices)
    purpose = models.TextField(_("purpose"), blank=True)
    received_on = models.DateField(_("received on"))
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reason = models.TextField(_("reason (ordinance article)"), blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=200, blank=True)
    fee = models.PositiveIntegerField(_("fee (yen)"), null=True, blank=True)
    implemented_on = models.DateField(_("carried out on"), null=True, blank=True)
    warned_due = models.DateField(null=True, blank=True, editable=False)  # the due date staff were warned about
    #: The department in charge (担当課), set by 情報公開 staff; the statistics count by it.
    department = models.CharField(_("department in charge"), max_length=100, blank=True)
    #: Set when staff publish the decided request in the public archive (公開アーカイブ).
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    #: The request text as staff edited it for publication (the requester's identity never appears).
    public_title = models.CharField(_("published title"), max_length=200, blank=True)
    public_text = models.TextField(_("published request text"), blank=True)
    #: The published title, text, number, department and reason folded for the archive search
    #: (``portal.textsearch.fold``); empty while the request is not published.
    archive_search_text = models.TextField(blank=True, editable=False)
    #: The one-time token of the online form that filed the request: sending the form twice
    #: (a double click, a reload) finds this request instead of filing a second one.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("disclosure request")
        verbose_name_plural = _("disclosure requests")
        ordering = ["-received_on", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="disclosure_request_number_per_year")]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReceiptCounter(models.Model):
    """The last receipt number given in a year (R2026-0001 …), counted under a row lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Pause(models.Model):
    """A correction (補正): the clock stops from the day after ``started_on`` until ``ended_on``."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(ended_on__isnull=True), name="disclosure_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.started_on} – {self.ended_on or ''}"


class Extension(models.Model):
    """An extension (延長, ``days``) or a special extension (特例延長, the rest by ``remainder_due``)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="extensions")
    special = models.BooleanField(default=False)
    days = models.PositiveIntegerField(default=0)
    remainder_due = models.DateField(null=True, blank=True)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: +{self.days}{' special' if self.special else ''}"


class EventKind(models.TextChoices):
    FILED = "filed", _("Request received")
    CORRECTION_ASKED = "correction_asked", _("Correction requested")
    CORRECTION_ANSWERED = "correction_answered", _("Correction answered")
    EXTENDED = "extended", _("Deadline extended")
    SPECIAL_EXTENDED = "special_extended", _("Special extension")
    DECIDED = "decided", pgettext_lazy("disclosure", "Decision")
    WITHDRAWN = "withdrawn", pgettext_lazy("disclosure event", "Withdrawn")
    REJECTED = "rejected", pgettext_lazy("disclosure event", "Dismissed")
    TRANSFERRED = "transferred", pgettext_lazy("disclosure event", "Transferred")
    IMPLEMENTED = "implemented", pgettext_lazy("disclosure event", "Disclosure carried out")
    DUE_CHANGED = "due_changed", _("Due date recomputed")
    PUBLISHED = "published", _("Published in the public archive")
    PUBLICATION_EDITED = "publication_edited", _("Published text edited")
    UNPUBLISHED = "unpublished", _("Removed from the public archive")
    DEPARTMENT = "department", _("Department in charge set")
    APPEAL_FILED = "appeal_filed", _("Appeal filed")
    APPEAL_REFERRED = "appeal_referred", _("Appeal referred to the review council")
    APPEAL_REPORTED = "appeal_reported", _("Report of the review council received")
    APPEAL_DECIDED = "appeal_decided", _("Ruling on the appeal")
    INVOICE_ISSUED = "invoice_issued", _("Invoice issued")
    INVOICE_PAID = "invoice_paid", _("Payment recorded")
    INVOICE_CANCELLED = "invoice_cancelled", _("Invoice cancelled")


class Event(models.Model):
    """One line of a request's history; ``status`` is the status after it."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.get_kind_display()}"


class MessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    CORRECTION = "correction", _("Request for correction")
    ANSWER = "answer", _("Answer to the correction")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    """A message on a request, from the requester or the staff; ``internal`` notes stay among staff."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=MessageKind.choices, default=MessageKind.MESSAGE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_staff = models.BooleanField(default=False)
    internal = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(internal=False) | models.Q(from_staff=True), name="disclosure_note_from_staff"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.get_kind_display()}"


class ClosedDay(models.Model):
    """A day the town office is closed besides weekends, national holidays and the year-end closure."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("office closed day")
        verbose_name_plural = _("office closed days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# Appeals against decisions (審査請求), in their own package.
from disclosure.appeals.models import *  # noqa: E402,F401,F403

# The public catalogue's tables (公開目録), in their own package.
from disclosure.catalogue.models import *  # noqa: E402,F401,F403

# Copy fees: the fee schedule (a site setting) and the invoices.
from disclosure.fees.models import *  # noqa: E402,F401,F403

# The files released on a request (decision letters, disclosed documents).
from disclosure.release.models import *  # noqa: E402,F401,F403
