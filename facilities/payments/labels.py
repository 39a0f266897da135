"""The payment states as staff and residents read them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from facilities.payments import rules

STATE_LABELS = {
    rules.UNPAID: _("Unpaid"),
    rules.PAID: _("Paid"),
    rules.REFUND_DUE: _("Refund due"),
    rules.REFUNDED: _("Refunded"),
    rules.FREE: _("Free of charge"),
}


def state_label(reservation) -> str:
    return str(STATE_LABELS[reservation.payment_state])
