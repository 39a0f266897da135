"""The four kinds of entry, each described once; the generic pages in ``views`` serve them all.

A kind names its model, its forms, its page titles and how one entry reads on its card. Adding a
kind is adding a ``Kind`` here (and its section in ``sections``), not another set of views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from health.models import Allergy, CheckupFile, Condition, HealthRecord, Medicine
from health.records import forms as record_forms
from health.records import services


def _date(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _period(start, end) -> str:
    if not start and not end:
        return ""
    return _("%(start)s – %(end)s") % {"start": _date(start) or "?", "end": _date(end) or _("still taking")}


def _save_model_form(record: HealthRecord, form: forms.Form, model: type[models.Model]) -> models.Model:
    return services.add_entry(model=model, record=record, **form.cleaned_data)


def _save_checkup(record: HealthRecord, form: forms.Form, model: type[models.Model]) -> models.Model:
    data = form.cleaned_data
    return services.add_checkup(record=record, upload=data["file"], title=data["title"], taken_on=data["taken_on"])


@dataclass(frozen=True)
class Kind:
    slug: str  # in the URL: /my/health/<record>/<slug>/
    model: type[models.Model]
    title: str  # the list page's heading
    add_label: str
    edit_label: str
    empty: str  # the list page when there is nothing yet
    form: type[forms.Form]
    edit_form: type[forms.ModelForm]
    heading: Callable[[Any], str]  # the entry's card heading
    details: Callable[[Any], list[tuple[str, str]]]  # (label, text) lines under it, empty ones hidden
    create: Callable[[HealthRecord, forms.Form, type[models.Model]], models.Model] = field(default=_save_model_form)
    multipart: bool = False

    def lines(self, entry) -> list[tuple[str, str]]:
        return [(label, text) for label, text in self.details(entry) if text]


def _label(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).verbose_name


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            slug="conditions",
            model=Condition,
            title=_("Medical history"),
            add_label=_("Add an illness or condition"),
            edit_label=_("Edit the illness or condition"),
            empty=_("No illnesses or conditions recorded."),
            form=record_forms.ConditionForm,
            edit_form=record_forms.ConditionForm,
            heading=lambda c: c.name,
            details=lambda c: [
                (_label(Condition, "status"), c.get_status_display()),
                (_label(Condition, "onset"), _date(c.onset)),
                (_label(Condition, "note"), c.note),
            ],
        ),
        Kind(
            slug="medicines",
            model=Medicine,
            title=_("Medicines"),
            add_label=_("Add a medicine"),
            edit_label=_("Edit the medicine"),
            empty=_("No medicines recorded."),
            form=record_forms.MedicineForm,
            edit_form=record_forms.MedicineForm,
            heading=lambda m: m.name,
            details=lambda m: [
                (_label(Medicine, "dose"), m.dose),
                (_("period taken"), _period(m.start, m.end)),
                (_label(Medicine, "clinic"), m.clinic),
                (_label(Medicine, "note"), m.note),
            ],
        ),
        Kind(
            slug="allergies",
            model=Allergy,
            title=_("Allergies"),
            add_label=_("Add an allergy"),
            edit_label=_("Edit the allergy"),
            empty=_("No allergies recorded."),
            form=record_forms.AllergyForm,
            edit_form=record_forms.AllergyForm,
            heading=lambda a: a.substance,
            details=lambda a: [
                (_label(Allergy, "reaction"), a.reaction),
                (_label(Allergy, "severity"), a.get_severity_display()),
                (_label(Allergy, "note"), a.note),
            ],
        ),
        Kind(
            slug="checkups",
            model=CheckupFile,
            title=_("Check-up results"),
            add_label=_("Upload a check-up result"),
            edit_label=_("Edit the check-up result"),
            empty=_("No check-up results uploaded."),
            form=record_forms.CheckupUploadForm,
            edit_form=record_forms.CheckupEditForm,
            heading=lambda f: f.title,
            details=lambda f: [
                (_label(CheckupFile, "taken_on"), _date(f.taken_on)),
                (_label(CheckupFile, "kind"), f.get_kind_display()),
            ],
            create=_save_checkup,
            multipart=True,
        ),
    )
}

SLUG_PATTERN = "|".join(KINDS)


def get(slug: str) -> Kind | None:
    return KINDS.get(slug)
