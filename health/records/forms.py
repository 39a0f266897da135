"""Forms of the medical-history pages: one per kind, plus the check-up upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from health.models import Allergy, CheckupFile, Condition, Medicine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 3})


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ["name", "onset", "status", "note"]
        widgets = {"onset": DATE, "note": NOTE}
        help_texts = {"name": _("For example: asthma, high blood pressure, appendicitis.")}


class MedicineForm(forms.ModelForm):
    class Meta:
        model = Medicine
        fields = ["name", "dose", "start", "end", "clinic", "note"]
        widgets = {"start": DATE, "end": DATE, "note": NOTE}
        help_texts = {
            "dose": _("For example: 1 tablet of 5 mg after breakfast."),
            "end": _("Leave empty while you still take it."),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def _post_clean(self):
        # The check constraint says the same as clean(); skip Django's duplicate message for it.
        if self.has_error("end"):
            return
        super()._post_clean()


class AllergyForm(forms.ModelForm):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity", "note"]
        widgets = {"note": NOTE}
        help_texts = {
            "substance": _("A food, medicine or other substance, e.g. eggs, penicillin, cedar pollen."),
            "reaction": _("What happens, e.g. hives, breathing difficulty."),
        }


class CheckupUploadForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, help_text=_("For example: 2026 town health check-up."))
    taken_on = forms.DateField(label=_("date of the check-up"), required=False, widget=DATE)
    file = forms.FileField(
        label=_("file"),
        help_text=_("A PDF, or a photo (JPEG or PNG) of the result sheet."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )


class CheckupEditForm(forms.ModelForm):
    class Meta:
        model = CheckupFile
        fields = ["title", "taken_on"]
        widgets = {"taken_on": DATE}
