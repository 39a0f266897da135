"""The accounting office's CSV: every payment and refund in a date range, one row each.

UTF-8 with a byte order mark (Excel opens the Japanese text with a double click), headings in
Japanese whatever the staff member's language, times in Asia/Tokyo, refunds as negative amounts
so the column sums to the net takings.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from facilities.payments.selectors import movement_rows
from facilities.staff.exports import spreadsheet_safe

COLUMNS = [
    gettext_lazy("Date"),
    pgettext_lazy("accounting", "Kind"),
    gettext_lazy("Reservation number"),
    gettext_lazy("Facility"),
    gettext_lazy("Unit"),
    gettext_lazy("Date of use"),
    gettext_lazy("Time frame"),
    gettext_lazy("Name"),
    gettext_lazy("Group"),
    gettext_lazy("Payment method"),
    gettext_lazy("Refund (%)"),
    gettext_lazy("Amount (yen)"),
]


def payments_csv(first: date, last: date) -> str:
    """The CSV text (with its BOM) of the payments and refunds from ``first`` to ``last``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    with translation.override("ja"):
        writer.writerow([str(c) for c in COLUMNS])
        for when, kind, r, amount in movement_rows(first, last):
            refund = kind == "refund"
            writer.writerow(
                [
                    timezone.localtime(when).strftime("%Y-%m-%d"),
                    pgettext("accounting", "Refund") if refund else pgettext("accounting", "Payment"),
                    r.pk,
                    spreadsheet_safe(r.unit.facility.name),
                    spreadsheet_safe(r.unit.name),
                    r.date.isoformat(),
                    spreadsheet_safe(r.frame.label if r.frame_id else ""),
                    spreadsheet_safe(r.user.get_full_name() if r.user_id else r.customer_name),
                    spreadsheet_safe(r.club.name if r.club_id else ""),
                    "" if refund else r.get_payment_method_display(),
                    r.refund_percent if refund else "",
                    -amount if refund else amount,
                ]
            )
    return out.getvalue()
