"""Staff forms of the release and redaction pages (all usable without JavaScript)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.release.models import ReleasedFile


class _FileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DISCLOSURE_RELEASE_MAX_BYTES
        if upload.size > limit:  # refused before the file is read
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB. Split it or reduce it, then upload again.")
                % {"mb": limit // (1024 * 1024)}
            )
        return upload


class ReleaseForm(_FileForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("What is it?"),
        choices=ReleasedFile.Kind.choices,
        widget=forms.RadioSelect,
        initial=ReleasedFile.Kind.LETTER,
    )
    field_order = ["kind", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext_lazy(
            "The decision letter: PDF. A disclosed document: PDF, or Word (docx) or Excel (xlsx) for a full "
            "disclosure. For a partial disclosure use the redaction tool."
        )


class OriginalForm(_FileForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = gettext_lazy("Original document (PDF)")
        self.fields["file"].help_text = gettext_lazy(
            "Kept in the town's private storage; the requester never receives it."
        )


class BoxForm(forms.Form):
    page = forms.IntegerField(label=gettext_lazy("Page"), min_value=1)
    x0 = forms.FloatField(label=gettext_lazy("Left (points)"), min_value=0)
    y0 = forms.FloatField(label=gettext_lazy("Top (points)"), min_value=0)
    x1 = forms.FloatField(label=gettext_lazy("Right (points)"), min_value=0)
    y1 = forms.FloatField(label=gettext_lazy("Bottom (points)"), min_value=0)
    reason = forms.CharField(
        label=gettext_lazy("Reason (ordinance article)"),
        max_length=200,
        help_text=gettext_lazy("For example 第7条第2号（個人に関する情報）. Printed in the box up to the bracket."),
    )


class PhraseForm(forms.Form):
    phrase = forms.CharField(
        label=gettext_lazy("Words to redact everywhere"),
        max_length=200,
        help_text=gettext_lazy("Every occurrence on every page gets a box, e.g. a name or an address."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (ordinance article)"),
        max_length=200,
        help_text=gettext_lazy("For example 第7条第2号（個人に関する情報）. Printed in the box up to the bracket."),
    )


class ApplyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the released file"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Without “.pdf”. Empty: the original's name followed by _部分開示."),
    )
