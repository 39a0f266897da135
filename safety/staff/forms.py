"""Forms of the safety staff admin: choosing a member, registering a card, mail wording, broadcasts."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm

from safety.models import Broadcast, Card, MailText

PLACEHOLDERS = {
    MailText.Key.GATE_IN: "{name} {time} {school} {place} {delay_note}",
    MailText.Key.GATE_OUT: "{name} {time} {school} {place} {delay_note}",
    MailText.Key.WATCH_TOUCH: "{name} {time} {place} {delay_note}",
    MailText.Key.DIGEST: "{name} {date} {places}",
    MailText.Key.NO_ACTIVITY: "{name} {hours} {last_touch}",
}


GRADE_CHOICES = [(g, str(g)) for g in range(1, 10)]


# --- People and cards -----------------------------------------------------------------------
class MemberSearchForm(BaseFilterForm):
    q = forms.CharField(label=gettext_lazy("Name"), required=False)

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            words = query.replace("　", " ").split()
            for word in words:
                objects = objects.filter(
                    Q(family_name__icontains=word)
                    | Q(given_name__icontains=word)
                    | Q(family_name_kana__icontains=word)
                    | Q(given_name_kana__icontains=word)
                )
            self.is_searching = True
            self.search_query = query
        return objects


class CardRegisterForm(WagtailAdminModelForm):
    """Staff type or scan the card ID; it is hashed by register_card and never saved."""

    card_id = forms.CharField(
        label=gettext_lazy("Card ID"),
        max_length=64,
        min_length=4,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Type or scan the ID. Only a keyed hash is kept; nobody can read the ID back."),
    )

    class Meta:
        model = Card
        fields = ["member"]


class CardEditForm(WagtailAdminModelForm):
    class Meta:
        model = Card
        fields = ["label"]


class MailTextForm(WagtailAdminModelForm):
    class Meta:
        model = MailText
        fields = ["key", "language", "subject", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = "; ".join(
            f"{MailText.Key(key).label}: {names}" for key, names in PLACEHOLDERS.items()
        )


# --- Broadcasts ---------------------------------------------------------------------------
class BroadcastForm(forms.ModelForm):
    target_grades = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Grades"),
        choices=GRADE_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("With schools: those grades at those schools. Without schools: at every school."),
    )

    class Meta:
        model = Broadcast
        fields = [
            "category",
            "title",
            "body",
            "title_en",
            "body_en",
            "target_all",
            "target_schools",
            "target_grades",
            "target_districts",
        ]
        widgets = {
            "target_schools": forms.CheckboxSelectMultiple,
            "target_districts": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "target_all": gettext_lazy("Everyone who receives this category. The choices below are then ignored."),
            "target_districts": gettext_lazy(
                "Residents of these districts also receive it, whatever their children's schools."
            ),
        }

    def clean(self):
        data = super().clean()
        if bool(data.get("title_en")) != bool(data.get("body_en")):
            missing = "body_en" if data.get("title_en") else "title_en"
            self.add_error(missing, _("Write both the English title and the English message, or neither."))
        if not data.get("target_all") and not (
            data.get("target_schools") or data.get("target_grades") or data.get("target_districts")
        ):
            raise ValidationError(_("Choose who receives this: everyone, or schools, grades or districts."))
        return data

    def save(self, commit=True):
        if self.instance.status == Broadcast.Status.SCHEDULED:
            self.instance.status = Broadcast.Status.DRAFT  # a changed message is previewed again before it goes
        return super().save(commit)


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=gettext_lazy("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("Only for “Schedule”. Japan time."),
    )

    def clean_send_at(self) -> datetime | None:
        value = self.cleaned_data.get("send_at")
        if value is not None and value <= timezone.now():
            raise ValidationError(_("Choose a time in the future."))
        return value
