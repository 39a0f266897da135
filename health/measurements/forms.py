"""Forms of measurements: thin, the rules are in ``services`` and ``rules``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from health.measurements.catalogue import MeasurementType

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _number(mtype: MeasurementType, label, *, autofocus: bool = False, required: bool = True) -> forms.DecimalField:
    attrs = {"step": mtype.step, "inputmode": "decimal" if mtype.decimals else "numeric", "autocomplete": "off"}
    if autofocus:
        attrs["autofocus"] = True
    return forms.DecimalField(label=label, required=required, widget=forms.NumberInput(attrs=attrs))


class MeasureForm(forms.Form):
    """One reading: the value (blood pressure: both values) and, folded away, the time and a note."""

    def __init__(self, *args, mtype: MeasurementType, **kwargs):
        super().__init__(*args, **kwargs)
        self.mtype = mtype
        if mtype.has_second:
            self.fields["value"] = _number(mtype, f"{mtype.first_label} ({mtype.unit})", autofocus=True)
            self.fields["value2"] = _number(mtype, f"{mtype.second_label} ({mtype.unit})")
        else:
            self.fields["value"] = _number(mtype, f"{mtype.label} ({mtype.unit})", autofocus=True)
        self.fields["measured_at"] = forms.DateTimeField(
            label=_("Date and time measured"),
            required=False,
            input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            help_text=_("Leave as it is for now."),
        )
        self.fields["note"] = forms.CharField(label=_("Note"), required=False, max_length=200)
        if not self.is_bound:
            self.initial.setdefault("measured_at", timezone.localtime().replace(second=0, microsecond=0))

    @property
    def main_fields(self):
        return [self[name] for name in ("value", "value2") if name in self.fields]

    @property
    def more_fields(self):
        return [self["measured_at"], self["note"]]


class GoalForm(forms.Form):
    def __init__(self, *args, mtype: MeasurementType, **kwargs):
        super().__init__(*args, **kwargs)
        first = mtype.first_label or mtype.label
        self.fields["low"] = _number(
            mtype, _("%(what)s: lower bound (%(unit)s)") % {"what": first, "unit": mtype.unit}, required=False
        )
        self.fields["high"] = _number(
            mtype, _("%(what)s: upper bound (%(unit)s)") % {"what": first, "unit": mtype.unit}, required=False
        )
        if mtype.has_second:
            second = mtype.second_label
            self.fields["low2"] = _number(
                mtype, _("%(what)s: lower bound (%(unit)s)") % {"what": second, "unit": mtype.unit}, required=False
            )
            self.fields["high2"] = _number(
                mtype, _("%(what)s: upper bound (%(unit)s)") % {"what": second, "unit": mtype.unit}, required=False
            )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("The format of the export: UTF-8, the header on the first line.")
    )


class ReminderForm(forms.Form):
    type = forms.ChoiceField(label=_("Measurement"))
    time_of_day = forms.TimeField(
        label=_("Time to send"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, types: list[MeasurementType], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.key, t.label) for t in types]
