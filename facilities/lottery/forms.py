"""The lottery application form: up to N ranked choices of unit, date and time, no JavaScript needed.

Without JavaScript one select cannot narrow another, so the time select lists the facility's
time bands (午前 9:00–12:00, ...) once; the band is matched to the chosen unit's frame with the
same start. The rules themselves are checked by :func:`facilities.lottery.services.apply`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from facilities import display, rules
from facilities.lottery.services import ChoiceRequest
from facilities.models import Club, LotteryRound, TimeFrame, Unit

PARTS = ("unit", "date", "time")


@dataclass
class ChoiceRow:
    number: int
    fields: list[forms.BoundField]

    @property
    def errors(self) -> bool:
        return any(f.errors for f in self.fields)


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        if obj.groups_only:
            return _("%(unit)s (registered groups only)") % {"unit": obj.name}
        return obj.name  # the facility is in the page's title


class LotteryApplicationForm(forms.Form):
    club = forms.TypedChoiceField(label=_("Apply for"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, round: LotteryRound, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.round = round
        self.hidden_groups_only = False
        units = Unit.objects.filter(facility=round.facility, active=True).order_by("sort_order", "name")
        frames = list(TimeFrame.objects.filter(unit__facility=round.facility, unit__active=True).order_by("start"))
        self.frames = {(f.unit_id, f"{f.start:%H:%M}"): f for f in frames}
        bands: dict[str, str] = {}
        for frame in frames:
            bands.setdefault(f"{frame.start:%H:%M}", display.slot_time(frame.label, frame.start, frame.end))
        days = rules.month_days(round.month)
        day_choices = [(d.isoformat(), f"{date_format(d, 'MONTH_DAY_FORMAT')} ({date_format(d, 'D')})") for d in days]
        self.clubs = {c.pk: c for c in Club.objects.filter(representative=user, status=Club.Status.APPROVED)}
        if self.clubs:
            self.fields["club"].choices = [("", _("Myself")), *((pk, c.name) for pk, c in self.clubs.items())]
        else:
            del self.fields["club"]
            # Someone with no approved group cannot win a groups-only unit: don't offer it.
            self.hidden_groups_only = units.filter(groups_only=True).exists()
            units = units.filter(groups_only=False)
        for n in range(1, round.max_choices + 1):
            self.fields[f"unit_{n}"] = UnitField(
                label=_("Unit"), queryset=units, required=n == 1, empty_label=_("Choose")
            )
            self.fields[f"date_{n}"] = forms.ChoiceField(
                label=_("Date"), choices=[("", _("Choose")), *day_choices], required=n == 1
            )
            self.fields[f"time_{n}"] = forms.ChoiceField(
                label=_("Time"), choices=[("", _("Choose")), *bands.items()], required=n == 1
            )

    @property
    def choice_rows(self) -> list[ChoiceRow]:
        return [ChoiceRow(n, [self[f"{part}_{n}"] for part in PARTS]) for n in range(1, self.round.max_choices + 1)]

    def clean(self):
        cleaned = super().clean()
        self.choices: list[ChoiceRequest] = []
        for n in range(1, self.round.max_choices + 1):
            names = [f"{part}_{n}" for part in PARTS]
            if any(name in self.errors for name in names):
                continue
            values = [cleaned.get(name) for name in names]
            if not any(values):
                continue
            if not all(values):
                for name, value in zip(names, values, strict=True):
                    if not value:
                        self.add_error(name, _("Choose a unit, a date and a time, or leave all three empty."))
                continue
            unit, day, band = values
            frame = self.frames.get((unit.pk, band))
            if frame is None:
                self.add_error(f"time_{n}", _("%(unit)s cannot be booked at this time.") % {"unit": unit.name})
                continue
            self.choices.append(ChoiceRequest(unit=unit, frame=frame, day=forms.DateField().to_python(day)))
        return cleaned

    @property
    def chosen_club(self) -> Club | None:
        pk = self.cleaned_data.get("club")
        return self.clubs.get(pk) if pk else None


class VerifyUploadForm(forms.Form):
    """A published lottery JSON file someone saved, to check it again (at most :data:`MAX_BYTES`)."""

    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label=_("Published lottery data (JSON file)"),
        widget=forms.ClearableFileInput(attrs={"aria-describedby": "id_file_help", "accept": ".json,application/json"}),
        help_text=_("The file saved from this round’s “Published data (JSON)” link."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 10 MB)."))
        try:
            self.cleaned_data["document"] = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise forms.ValidationError(_("This file is not JSON. Choose the file saved from the data link.")) from exc
        return upload
