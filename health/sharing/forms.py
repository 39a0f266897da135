"""Forms of the sharing pages. The rules live in ``services``; forms only parse input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from health import sections as registry
from health.sharing.services import HOUR_CHOICES, MAX_HOURS


def _hour_label(hours: int) -> str:
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


class ShareLinkForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=_("What to share"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of record to share.")},
    )
    start = forms.DateField(label=_("From (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.TypedChoiceField(
        label=_("The link stays open for"),
        coerce=int,
        widget=forms.RadioSelect,
        initial=24,
        error_messages={
            "required": _("Choose how long the link stays open."),
        },
    )
    passcode = forms.CharField(
        label=_("Passcode (optional)"),
        required=False,
        min_length=4,
        max_length=32,
        strip=True,
        help_text=_("4 to 32 characters. Tell it to the doctor yourself; it is not shown again."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "min_length": _("A passcode has 4 to 32 characters."),
            "max_length": _("A passcode has 4 to 32 characters."),
        },
    )
    note = forms.CharField(
        label=_("For whom (optional)"),
        required=False,
        max_length=100,
        help_text=_("Only you see this, e.g. the clinic's name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = registry.choices()
        self.fields["hours"].choices = [(h, _hour_label(h)) for h in HOUR_CHOICES]
        self.fields["hours"].error_messages["invalid_choice"] = gettext(
            "A share link can stay open for at most %(hours)d hours."
        ) % {"hours": MAX_HOURS}
        self.fields["sections"].error_messages["invalid_choice"] = _("Choose at least one kind of record to share.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The start date must not be after the end date."))
        return data


class PasscodeForm(forms.Form):
    passcode = forms.CharField(
        label=pgettext_lazy("health sharing", "Passcode"),
        max_length=100,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class CaregiverForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of their account"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    family_account = forms.TypedChoiceField(
        label=_("Or choose a family member's account"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, family_accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family_account"].choices = [("", "—")] + [
            (u.pk, u.get_full_name() or u.email) for u in family_accounts
        ]
        if not family_accounts:
            del self.fields["family_account"]

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("family_account") and not self.errors:
            raise forms.ValidationError(_("Enter the e-mail address of their account."))
        return data
