"""Forms of the public facility pages and the resident's booking pages. They parse input; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from facilities import selectors
from facilities.models import Club, Facility, TimeFrame
from facilities.selectors import TimeBand
from facilities.services import SlotRequest


class SearchForm(forms.Form):
    """Search for a free facility: every field is optional."""

    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    band = forms.ChoiceField(
        label=_("Time of day"),
        required=False,
        choices=[("", _("Any time"))] + [(b.value, b.label) for b in TimeBand],
    )
    kind = forms.ChoiceField(
        label=_("Kind of facility"), required=False, choices=[("", _("Any kind")), *Facility.Kind.choices]
    )
    capacity = forms.IntegerField(
        label=_("Number of people"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("Shows only rooms and courts for at least this many people."),
    )

    def clean_band(self) -> TimeBand | None:
        value = self.cleaned_data.get("band")
        return TimeBand(value) if value else None


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class MonthField(forms.DateField):
    """A month as YYYY-MM, cleaned to its first day."""

    input_formats = ["%Y-%m"]


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))


class BookingForm(forms.Form):
    """The slots a resident chose on the day view: one day, one or more frames of one unit."""

    date = forms.DateField(error_messages={"required": _("Choose a day."), "invalid": _("Enter a valid date.")})
    frame = forms.ModelMultipleChoiceField(
        queryset=TimeFrame.objects.none(),
        error_messages={
            "required": _("Choose at least one free time slot."),
            "invalid_choice": _("One of the chosen time slots does not exist at this facility."),
            "invalid_pk_value": _("One of the chosen time slots does not exist at this facility."),
        },
    )
    club = forms.ModelChoiceField(
        label=_("Book for"),
        queryset=Club.objects.none(),
        required=False,
        empty_label=_("Myself"),
        error_messages={"invalid_choice": _("You can only book for an approved group you represent.")},
    )

    def __init__(self, data, *, facility: Facility, user) -> None:
        super().__init__(data)
        self.facility = facility
        self.fields["frame"].queryset = TimeFrame.objects.filter(
            unit__facility=facility, unit__active=True
        ).select_related("unit__facility")
        self.fields["club"].queryset = selectors.bookable_clubs_of(user)

    def clean(self) -> dict:
        data = super().clean()
        frames = list(data.get("frame") or [])
        if len({frame.unit_id for frame in frames}) > 1:
            raise forms.ValidationError(_("Choose slots of one room or court at a time."))
        return data

    @property
    def unit(self):
        return self.cleaned_data["frame"][0].unit

    @property
    def slots(self) -> list[SlotRequest]:
        day = self.cleaned_data["date"]
        return [SlotRequest(frame, day) for frame in sorted(self.cleaned_data["frame"], key=lambda f: f.start)]

    @property
    def chosen_club(self) -> Club | None:
        return self.cleaned_data.get("club")


class ClubForm(forms.ModelForm):
    """Register a group (団体登録); staff approve it before it can book."""

    class Meta:
        model = Club
        fields = ["name", "member_count", "resident_member_count", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "resident_member_count": _(
                "Groups with at least half of their members living in the town pay the resident fee."
            )
        }


class WaitlistForm(forms.Form):
    """The booked slot a resident asks to wait for: one frame of one unit on one day."""

    date = forms.DateField(error_messages={"required": _("Choose a day."), "invalid": _("Enter a valid date.")})
    frame = forms.ModelChoiceField(
        queryset=TimeFrame.objects.none(),
        error_messages={
            "required": _("Choose a booked time slot."),
            "invalid_choice": _("One of the chosen time slots does not exist at this facility."),
        },
    )
    club = forms.ModelChoiceField(
        label=_("Wait for"),
        queryset=Club.objects.none(),
        required=False,
        empty_label=_("Myself"),
        error_messages={"invalid_choice": _("You can only book for an approved group you represent.")},
    )

    def __init__(self, data, *, facility: Facility, user) -> None:
        super().__init__(data)
        self.fields["frame"].queryset = TimeFrame.objects.filter(
            unit__facility=facility, unit__active=True
        ).select_related("unit__facility")
        self.fields["club"].queryset = selectors.bookable_clubs_of(user)
