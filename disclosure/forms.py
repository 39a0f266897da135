"""Forms of the disclosure pages: the resident's request and messages, and the staff actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from disclosure.models import DECISIONS, PreferredForm, RequesterType
from disclosure.services import MAX_TEXT, has_control_characters

TEXTAREA = forms.Textarea(attrs={"rows": 5})


_no_control_message = _("This text contains control characters that cannot be used. Please remove them.")


def _no_control_characters(value: str) -> None:
    if has_control_characters(value):
        raise forms.ValidationError(_no_control_message, code="control")


class CheckedTextForm(forms.Form):
    """Every text field says what is wrong in the resident's words: empty (spaces alone count as
    empty), too long (with the limit and the length typed) or holding control characters. The form
    is shown again with what was typed, so nothing is lost."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is not forms.CharField:
                continue  # choices, e-mail addresses and tokens have their own checks
            field.validators.append(_no_control_characters)
            field.error_messages["required"] = _("Please fill in “%(label)s” (spaces alone do not count).") % {
                "label": field.label
            }
            field.error_messages["null_characters_not_allowed"] = _no_control_message
            field.error_messages["max_length"] = _(
                "Please keep this within %(limit_value)s characters (you wrote %(show_value)s)."
            )


class RequestForm(CheckedTextForm):
    """The request as Japanese towns' forms ask it (公文書開示請求書)."""

    requester_type = forms.ChoiceField(
        label=_("Requester"), choices=RequesterType.choices, widget=forms.RadioSelect, initial=RequesterType.INDIVIDUAL
    )
    name = forms.CharField(label=_("Name (or name of the organisation)"), max_length=200)
    representative = forms.CharField(label=_("Representative (organisations only)"), max_length=200, required=False)
    address = forms.CharField(label=_("Address (or address of the office)"), max_length=300)
    email = forms.EmailField(label=_("Email"), help_text=_("Answers and decisions are mailed here."))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    document = forms.CharField(
        label=_("Title or content of the documents"),
        max_length=MAX_TEXT,
        widget=TEXTAREA,
        help_text=_("Describe the documents as precisely as you can: subject, department, period."),
    )
    preferred_form = forms.ChoiceField(
        label=_("Preferred form of disclosure"), choices=PreferredForm.choices, widget=forms.RadioSelect
    )
    purpose = forms.CharField(
        label=_("Purpose (optional)"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    #: One token per form shown: sending it twice files one request (``services.file_request``).
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("requester_type") == RequesterType.ORGANISATION and not (data.get("representative") or "").strip():
            self.add_error("representative", _("Please give the representative of the organisation."))
        return data


class MessageForm(CheckedTextForm):
    body = forms.CharField(label=_("Message"), max_length=MAX_TEXT, widget=TEXTAREA)


class WithdrawForm(CheckedTextForm):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    confirm = forms.BooleanField(label=_("Yes, withdraw this request."))


# --- Staff -----------------------------------------------------------------------------------
class StaffMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=MAX_TEXT, widget=TEXTAREA)
    internal = forms.BooleanField(label=_("Internal note (never shown or mailed to the requester)"), required=False)


class CorrectionForm(forms.Form):
    body = forms.CharField(label=_("What the requester should correct or add"), max_length=MAX_TEXT, widget=TEXTAREA)


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("The answer given at the counter or by post"), max_length=MAX_TEXT, widget=TEXTAREA)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("disclosure", "Decision"),
        choices=[(s.value, s.label) for s in DECISIONS],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason: the ordinance article (not needed for full disclosure)"),
        max_length=MAX_TEXT,
        widget=TEXTAREA,
        required=False,
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Days added"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, widget=TEXTAREA)


class SpecialExtendForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, widget=TEXTAREA)
    remainder_due = forms.DateField(
        label=_("Date by which the rest is decided"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_TEXT, widget=TEXTAREA)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=MAX_TEXT, widget=TEXTAREA, required=False)


class TransferForm(forms.Form):
    to = forms.CharField(label=_("Transferred to"), max_length=200)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=MAX_TEXT, widget=TEXTAREA, required=False)


class ImplementForm(forms.Form):
    fee = forms.IntegerField(
        label=_("Fee (yen)"),
        min_value=0,
        required=False,
        help_text=_("With an invoice, the fee is its total and the invoice must be paid first. Viewing is free."),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=MAX_TEXT, widget=TEXTAREA, required=False)


class DatalistInput(forms.TextInput):
    """A text input that suggests ``suggestions`` (a ``<datalist>``) and still takes any text."""

    template_name = "disclosure/widgets/datalist.html"

    def __init__(self, suggestions=(), attrs=None):
        super().__init__(attrs)
        self.suggestions = suggestions

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-suggestions"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"].update(list_id=list_id, suggestions=list(self.suggestions))
        return context


class DepartmentForm(forms.Form):
    department = forms.CharField(
        label=_("Department in charge"),
        max_length=100,
        help_text=_("Choose one of the catalogue's departments or write another name."),
    )

    def __init__(self, *args, **kwargs):
        from disclosure.catalogue.models import CatalogueDocument

        super().__init__(*args, **kwargs)
        names = CatalogueDocument.objects.order_by("department").values_list("department", flat=True).distinct()
        self.fields["department"].widget = DatalistInput(suggestions=names)
