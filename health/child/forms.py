"""Forms of the mother-and-child pages (labels in English, shown in Japanese)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from health.models import BirthRecord, ChildProfile, GrowthEntry, GrowthReference, Pregnancy, PregnancyCheckup

DATE = forms.DateInput(attrs={"type": "date"})


class ProfileForm(forms.ModelForm):
    class Meta:
        model = ChildProfile
        fields = ["sex", "growth_reference"]


class GrowthForm(forms.ModelForm):
    class Meta:
        model = GrowthEntry
        fields = ["date", "weight_kg", "height_cm", "head_cm"]
        widgets = {
            "date": DATE,
            "weight_kg": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "height_cm": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            "head_cm": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        }

    def validate_unique(self):  # a second entry for the same day replaces the first (services.save_growth)
        pass


class DoseForm(forms.Form):
    dose = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date given"), widget=DATE)
    lot = forms.CharField(label=_("Lot number"), max_length=50, required=False)
    clinic = forms.CharField(label=_("Clinic"), max_length=200, required=False)


class BirthForm(forms.ModelForm):
    class Meta:
        model = BirthRecord
        fields = ["date", "weeks", "weight_g", "length_cm", "head_cm", "delivery", "place"]
        widgets = {"date": DATE}


class PregnancyForm(forms.ModelForm):
    class Meta:
        model = Pregnancy
        fields = ["due_date", "notes"]
        widgets = {"due_date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}


class CheckupForm(forms.ModelForm):
    class Meta:
        model = PregnancyCheckup
        fields = ["date", "week", "weight_kg", "systolic", "diastolic", "urine_protein", "urine_sugar", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class ReferenceUploadForm(forms.ModelForm):
    """Name, source and default flag of the table, and its CSV file (checked by services.load_reference_table)."""

    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8; columns sex,measure,age_months,p3,p10,p25,p50,p75,p90,p97.")
    )

    class Meta:
        model = GrowthReference
        fields = ["name", "source", "is_default"]

    def save(self, commit=True):  # the view saves through the service
        raise NotImplementedError
