"""A reservation as a spreadsheet row: the CSV export of the reservations list and the action pages' details."""

from __future__ import annotations

from collections import OrderedDict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from facilities.models import Reservation

EXPORT_COLUMNS = OrderedDict(
    [
        ("number", gettext_lazy("Reservation number")),
        ("facility", gettext_lazy("Facility")),
        ("unit", gettext_lazy("Unit")),
        ("date", gettext_lazy("Date of use")),
        ("frame", gettext_lazy("Time frame")),
        ("time", gettext_lazy("Time")),
        ("name", gettext_lazy("Name")),
        ("group", gettext_lazy("Group")),
        ("email", gettext_lazy("Email")),
        ("phone", gettext_lazy("Phone")),
        ("status", gettext_lazy("Status")),
        ("source", gettext_lazy("Booked via")),
        ("rate", gettext_lazy("Rate")),
        ("fee", gettext_lazy("Fee (yen)")),
        ("paid_at", gettext_lazy("Paid at")),
        ("booked_at", gettext_lazy("Booked at")),
        ("cancel_reason", gettext_lazy("Reason for cancelling")),
    ]
)


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def spreadsheet_safe(value):
    """A text cell that Excel would read as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_row(r: Reservation) -> OrderedDict:
    """One reservation as a spreadsheet row, times in the town's time zone."""
    person = r.user.get_full_name() if r.user_id else r.customer_name
    return OrderedDict(
        number=r.pk,
        facility=r.unit.facility.name,
        unit=r.unit.name,
        date=r.date.isoformat(),
        frame=r.frame.label if r.frame_id else "",
        time=f"{timezone.localtime(r.start):%H:%M}–{timezone.localtime(r.end):%H:%M}",
        name=person,
        group=r.club.name if r.club_id else "",
        email=r.user.email if r.user_id else "",
        phone=r.customer_phone or (getattr(r.user, "phone", "") if r.user_id else ""),
        status=r.get_status_display(),
        source=r.get_source_display(),
        rate=_("Resident") if r.resident_rate else _("Non-resident"),
        fee=r.fee,
        paid_at=_local(r.paid_at),
        booked_at=_local(r.created_at),
        cancel_reason=r.cancel_reason,
    )
