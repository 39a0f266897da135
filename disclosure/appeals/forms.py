"""The staff forms of an appeal's steps (the requester files on paper or by mail; staff record it)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure.appeals.models import AppealOutcome
from disclosure.services import MAX_TEXT

DATE = forms.DateInput(attrs={"type": "date"})


def _today():
    return timezone.localdate()


class FileAppealForm(forms.Form):
    filed_on = forms.DateField(label=_("Appeal filed on"), initial=_today, widget=DATE)
    grounds = forms.CharField(
        label=_("Grounds of the appeal"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    justified = forms.BooleanField(
        label=_("Justified reason for filing after the period (正当な理由)"),
        required=False,
        help_text=_("Only for an appeal filed more than three months after the day after the decision."),
    )
    late_reason = forms.CharField(
        label=_("The justified reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ReferForm(forms.Form):
    referred_on = forms.DateField(label=_("Referred to the review council on"), initial=_today, widget=DATE)


class ReportForm(forms.Form):
    report_on = forms.DateField(label=_("Report received on"), initial=_today, widget=DATE)


class RulingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AppealOutcome.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("Ruling made on"), initial=_today, widget=DATE)
    note = forms.CharField(
        label=_("Reasons of the ruling"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Required unless the appeal is upheld."),
    )
