"""The 情報公開 staff's publication forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from disclosure.archive.services import MAX_TEXT, MAX_TITLE


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Published title"),
        max_length=MAX_TITLE,
        help_text=_("What the documents are about, as a resident would search for it."),
    )
    text = forms.CharField(
        label=_("Published request text"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The request as it will be published. Remove the requester's name, address, email and phone, "
            "and anything else that identifies them."
        ),
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing it from the archive"), widget=forms.Textarea(attrs={"rows": 3})
    )
