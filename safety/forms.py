"""Forms of the family's safety-mail pages on /my/safety/ (the staff admin's are in safety/staff/forms.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safety.models import BroadcastCategory, Subscription


class SubscriptionForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mail"), choices=Subscription.Mode.choices, widget=forms.RadioSelect)
    no_activity_alert = forms.BooleanField(label=_("Alert me when there is no touch for a while"), required=False)

    def __init__(self, *args, watched: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not watched:
            del self.fields["no_activity_alert"]


class BroadcastPreferenceForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Categories you receive"),
        choices=BroadcastCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
