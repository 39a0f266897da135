"""Forms of the staff pages in the Wagtail admin (施設予約), and the reservations list's filters.

They parse input; the rules themselves live in services.
"""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import BooleanRadioSelect, DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm

from facilities.models import Closure, Club, Facility, Fee, Reservation, TimeFrame, Unit
from facilities.selectors import Availability, SlotState

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: A maintenance block covers at most this many days at once.
MAX_BLOCK_DAYS = 62


class ReservationFilterSet(WagtailFilterSet):
    """The filters of the reservations list."""

    facility = django_filters.ModelChoiceFilter(
        label=_("Facility"), field_name="unit__facility", queryset=Facility.objects.all()
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=Unit.objects.select_related("facility"))
    date = django_filters.DateFromToRangeFilter(label=_("Date of use"), widget=DateRangePickerWidget)
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Reservation.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    paid = django_filters.BooleanFilter(
        label=_("Paid"),
        field_name="paid_at",
        lookup_expr="isnull",
        exclude=True,
        widget=BooleanRadioSelect,
    )
    source = django_filters.ChoiceFilter(
        label=_("Booked via"),
        choices=Reservation.Source.choices,
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Reservation
        fields: list[str] = []


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.facility.name} {obj.name}"


class FrameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TimeFrame) -> str:
        return f"{obj.unit.facility.name} {obj.unit.name}: {obj}"


def bookable_units():
    return Unit.objects.filter(active=True).select_related("facility").order_by("facility", "sort_order", "name")


class SlotPickForm(forms.Form):
    """First step of booking or blocking: which unit, which day (sent with GET)."""

    unit = UnitChoiceField(label=_("Unit"), queryset=bookable_units())
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)


class FramesMixin:
    """Checkboxes for the unit's time frames, each labelled with whether it is free on the day."""

    def _frames_field(self, unit: Unit, day: date, *, initial_all: bool) -> forms.ModelMultipleChoiceField:
        availability = Availability(unit.facility, day, day)
        states = {
            frame.pk: availability.slot(unit, frame, day, ignore_window=True).state
            for frame in availability.frames[unit.pk]
        }
        frames = unit.frames.order_by("start")

        class Field(forms.ModelMultipleChoiceField):
            def label_from_instance(self, obj: TimeFrame) -> str:
                state = states.get(obj.pk, SlotState.CLOSED)
                return f"{obj} — {state.symbol} {state.text}"

        return Field(
            label=_("Time frames"),
            queryset=frames,
            widget=forms.CheckboxSelectMultiple,
            initial=list(frames) if initial_all else None,
        )


class BookOnBehalfForm(FramesMixin, forms.Form):
    """Book for a customer on the phone or at the counter: a resident account, a group, or a name and phone."""

    email = forms.EmailField(
        label=_("Resident's email address"),
        required=False,
        help_text=_("If the customer has an account: the booking appears on their page and they get the mail."),
    )
    club = forms.ModelChoiceField(
        label=_("Registered group"),
        queryset=Club.objects.filter(status=Club.Status.APPROVED).order_by("name"),
        required=False,
        help_text=_("Book for an approved group; its representative gets the mail."),
    )
    customer_name = forms.CharField(label=_("Customer name"), max_length=100, required=False)
    customer_phone = forms.CharField(
        label=_("Customer phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    resident_rate = forms.BooleanField(label=_("Charge the resident rate"), required=False, initial=True)

    def __init__(self, *args, unit: Unit, day: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unit, self.day = unit, day
        self.fields = {"frames": self._frames_field(unit, day, initial_all=False), **self.fields}

    def clean(self) -> dict:
        data = super().clean()
        email = (data.get("email") or "").strip()
        club = data.get("club")
        user = None
        if email:
            user = get_user_model().objects.filter(email__iexact=email).first()
            if user is None:
                self.add_error("email", _("There is no account with this email address."))
        if club is not None:
            if user is not None and user.pk != club.representative_id:
                self.add_error("club", _("This account is not the group's representative."))
            user = user or club.representative
        elif not email and not (data.get("customer_name", "").strip() and data.get("customer_phone", "").strip()):
            raise forms.ValidationError(
                _("Give the resident's email address, a registered group, or the customer's name and phone number.")
            )
        data["user"] = user
        return data


class BlockForm(FramesMixin, forms.Form):
    """Block a unit for maintenance from the chosen day until the last day (the same frames each day)."""

    last_date = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty to block one day. Closed days in between are skipped."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=100, help_text=_("For example: floor repairs."))

    def __init__(self, *args, unit: Unit, day: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unit, self.day = unit, day
        self.fields = {"frames": self._frames_field(unit, day, initial_all=True), **self.fields}

    def clean_last_date(self) -> date:
        last = self.cleaned_data.get("last_date") or self.day
        if last < self.day:
            raise forms.ValidationError(_("The last day cannot be before the first day."))
        if last - self.day >= timedelta(days=MAX_BLOCK_DAYS):
            raise forms.ValidationError(_("Block at most %(n)d days at once.") % {"n": MAX_BLOCK_DAYS})
        return last


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the resident in the cancellation mail."),
    )


class ClubDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the representative. Required when rejecting."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for rejecting the group; it is sent to the representative."))
        return data


class OccupancyForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Facility.objects.all(), empty_label=None)
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("For example 2026-12."),
    )


# --- Model forms of the set-up pages ----------------------------------------------------
class UnitForm(WagtailAdminModelForm):
    class Meta:
        model = Unit
        fields = ["facility", "parent", "name", "capacity", "groups_only", "active", "sort_order"]
        field_classes = {"parent": UnitChoiceField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.select_related("facility")


class TimeFrameForm(WagtailAdminModelForm):
    class Meta:
        model = TimeFrame
        fields = ["unit", "label", "start", "end"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("facility")


class FeeForm(WagtailAdminModelForm):
    """A fee belongs to a time frame; its unit is the frame's unit."""

    class Meta:
        model = Fee
        fields = ["frame", "resident", "day_type", "amount"]
        field_classes = {"frame": FrameChoiceField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["frame"].queryset = TimeFrame.objects.select_related("unit__facility").order_by(
            "unit__facility", "unit__sort_order", "unit__name", "start"
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("frame") is not None:
            self.instance.unit = data["frame"].unit
        return data


class ClosureForm(WagtailAdminModelForm):
    class Meta:
        model = Closure
        fields = ["facility", "unit", "start_date", "end_date", "reason"]
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("facility")

    def clean(self) -> dict:
        data = super().clean()
        unit, facility = data.get("unit"), data.get("facility")
        if unit is not None and facility is not None and unit.facility_id != facility.pk:
            self.add_error("unit", _("Choose a unit of this facility."))
        return data
