"""Pure rules of measurements: plausible ranges, fever, goal range, BMI. No database, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from health.measurements import catalogue
from health.measurements.catalogue import MeasurementType


@dataclass(frozen=True)
class Goal:
    """A personal goal range; any bound may be open (``None``). ``low2``/``high2``: diastolic."""

    low: Decimal | None = None
    high: Decimal | None = None
    low2: Decimal | None = None
    high2: Decimal | None = None

    @property
    def is_set(self) -> bool:
        return any(v is not None for v in (self.low, self.high, self.low2, self.high2))


def range_problems(mtype: MeasurementType, value: Decimal | None, value2: Decimal | None) -> list[str]:
    """What is wrong with a reading, as sentences for the resident (empty: the reading is plausible)."""
    problems: list[str] = []
    if value is None:
        return [_("Enter a value.")]
    if not (mtype.low <= value <= mtype.high):
        problems.append(
            _("%(type)s must be between %(low)s and %(high)s %(unit)s.")
            % {
                "type": mtype.label,
                "low": mtype.format(mtype.low),
                "high": mtype.format(mtype.high),
                "unit": mtype.unit,
            }
        )
    if mtype.has_second:
        if value2 is None:
            problems.append(_("Enter both the systolic (upper) and the diastolic (lower) value."))
        else:
            if not (mtype.second_low <= value2 <= mtype.second_high):
                problems.append(
                    _("The diastolic (lower) value must be between %(low)s and %(high)s %(unit)s.")
                    % {
                        "low": mtype.format(mtype.second_low),
                        "high": mtype.format(mtype.second_high),
                        "unit": mtype.unit,
                    }
                )
            if value <= value2:
                problems.append(_("The systolic (upper) value must be higher than the diastolic (lower) value."))
    elif value2 is not None:
        problems.append(_("%(type)s has only one value.") % {"type": mtype.label})
    return problems


def is_fever(type_key: str, value: Decimal | float | None) -> bool:
    """A body temperature of 37.5 ℃ or more."""
    return type_key == catalogue.TEMPERATURE and value is not None and Decimal(str(value)) >= catalogue.FEVER_FROM


def outside_goal(goal: Goal | None, value, value2=None) -> bool:
    """True when a value (or the diastolic value) lies outside the set bounds of the goal."""
    if goal is None:
        return False

    def out(v, low, high) -> bool:
        if v is None:
            return False
        v = Decimal(str(v))
        return (low is not None and v < low) or (high is not None and v > high)

    return out(value, goal.low, goal.high) or out(value2, goal.low2, goal.high2)


def bmi(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """Body mass index: weight (kg) / height (m)², to one decimal (half up)."""
    metres = Decimal(height_cm) / 100
    return (Decimal(weight_kg) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
