from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import District, HouseholdMember, User, kana_validator

PROFILE_FIELDS = [
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "district",
    "phone",
    "language",
    "mail_html",
    "receive_town_news",
]


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form: the resident's name and preferences."""

    family_name = forms.CharField(
        label=_("Family name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    given_name = forms.CharField(
        label=_("Given name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    family_name_kana = forms.CharField(
        label=_("Family name (kana)"), max_length=100, required=False, validators=[kana_validator]
    )
    given_name_kana = forms.CharField(
        label=_("Given name (kana)"), max_length=100, required=False, validators=[kana_validator]
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Outside the town / not given"),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=User.Language.choices, initial="ja")

    def signup(self, request, user: User) -> None:
        for name in ["family_name", "given_name", "family_name_kana", "given_name_kana", "district", "language"]:
            setattr(user, name, self.cleaned_data[name])
        user.save()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})}


class MemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["family_name", "given_name", "family_name_kana", "given_name_kana", "relationship", "birth_date"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person to invite"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(label=_("I understand that my account, household and records will be deleted."))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password
