"""Staff accounts in Wagtail's user admin, with Japanese name fields instead of first/last name."""

from __future__ import annotations

from django import forms
from wagtail.users import forms as wagtail_forms
from wagtail.users.views.users import UserViewSet

from portal.models import User

FIELDS = {"email", "family_name", "given_name", "is_superuser", "groups"}


class StaffCreationForm(wagtail_forms.UserCreationForm):
    first_name = None
    last_name = None

    class Meta:
        model = User
        fields = FIELDS
        widgets = {"groups": forms.CheckboxSelectMultiple}


class StaffEditForm(wagtail_forms.UserEditForm):
    first_name = None
    last_name = None

    class Meta:
        model = User
        fields = FIELDS | {"is_active"}
        widgets = {"groups": forms.CheckboxSelectMultiple}


class StaffUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return StaffEditForm if for_update else StaffCreationForm
