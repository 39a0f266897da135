"""A facility's payment settings checked for the Wagtail admin form (Facility.clean)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from facilities.payments import rules


def tier_message(code: str) -> str:
    return {
        "bad_format": _("Write each tier as days:percent, for example 7:100, 2:50."),
        "over_100": _("A refund cannot be more than 100%."),
        "duplicate_days": _("Each number of days can only appear once."),
        "not_decreasing": _("Cancelling later cannot refund more than cancelling earlier."),
    }[code]


def check_payment_settings(facility) -> None:
    errors = {}
    try:
        rules.parse_tiers(facility.refund_tiers or "")
    except rules.TierError as error:
        errors["refund_tiers"] = tier_message(str(error))
    if facility.pay_by_rule == rules.DAY_OF_MONTH and not 1 <= (facility.pay_by_value or 0) <= 28:
        errors["pay_by_value"] = _("For a day of the month, choose a day from 1 to 28.")
    if errors:
        raise ValidationError(errors)
